import { Job } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { enqueueAudit as enqueueAny, waitForAudit } from '../../src/queue/producer.js';
import type { SpecInput } from '../../src/config/spec-schema.js';
import { openQueue } from '../../src/queue/queues.js';
import { MISSED_GRACE_MS } from '../../src/queue/schedules.js';
import { queueSettings } from '../../src/queue/settings.js';
import { runCli } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';
import { iris, jobFailure, long } from '../helpers/queue-jobs.js';

/** Issue #9, the rest of "Limits" and item 6: memory cap, SIGTERM hand-back, missed schedule runs. Real Redis, real workers. */
const enqueueAudit = (spec: unknown, opts: Parameters<typeof enqueueAny>[1]) => enqueueAny(spec as SpecInput, opts);
const workers: WorkerProcess[] = [];
const prefixes: string[] = [];

/** A fresh prefix and reports dir per test, so no test sees another's jobs. */
function fresh(extra: Record<string, string> = {}) {
  const env = queueEnv({ NNAUDIT_ATTEMPTS: '3', ...extra });
  prefixes.push(env['NNAUDIT_QUEUE_PREFIX']!);
  return { env, settings: queueSettings({ ...process.env, ...env }) };
}

async function worker(env: Record<string, string>, args: string[]): Promise<WorkerProcess> {
  const w = startWorker(env, ['--queue', 'audit', ...args]);
  workers.push(w);
  await until('the worker', () => w.log().includes('nnaudit worker: queues'), 120_000);
  return w;
}

describeWith(['redis'], 'queue limits, more (real worker)', () => {
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    for (const p of prefixes) await cleanupPrefix(p);
  });

  it('an audit over limits.memoryMb fails once, naming the memory cap, and the worker then completes a normal job', async () => {
    const { env, settings } = fresh();
    const w = await worker(env, []);
    // Three 4096-wide layers: ~33.6M parameters (under maxParams), ~134 MB of float32 weights, and as much
    // again for each of the gradients and Adam's two moments: well over a 384 MiB cap once training starts.
    const wide = {
      ...iris,
      name: 'wide',
      limits: { memoryMb: 384 },
      model: {
        train: {
          ...iris['model'].train,
          epochs: 50,
          layers: [
            { type: 'dense', units: 4096, activation: 'relu' },
            { type: 'dense', units: 4096, activation: 'relu' },
            { type: 'dense', units: 4096, activation: 'relu' },
            { type: 'dense', units: 3, activation: 'softmax' },
          ],
        },
      },
    };
    const { jobId } = await enqueueAudit(wide, { settings, formats: ['html'] });
    const f = await jobFailure(jobId, settings);
    expect(f.reason).toMatch(/memory/i);
    expect(f.reason).toMatch(/limits\.memoryMb/);
    expect(f.attempts).toBe(1); // not retried
    expect(w.child.exitCode).toBeNull(); // the worker survived its child
    const { jobId: ok } = await enqueueAudit({ ...iris, name: 'after-oom' }, { settings, formats: ['html'] });
    const pointer = await waitForAudit(ok, { settings, timeoutMs: 180_000 });
    expect(pointer.verdict).toBe('PASS');
  }, 400_000);

  it('SIGTERM with --shutdown-grace 2 hands a long job back; the worker exits in time and a second worker completes it', async () => {
    const { env, settings } = fresh();
    const first = await worker(env, ['--shutdown-grace', '2']);
    // Long enough to outlast the grace by far, short enough for a second worker to finish it.
    const { jobId } = await enqueueAudit(long({ name: 'handed-back' }, 2000), { settings, formats: ['html'] });
    const q = openQueue('audit', settings);
    try {
      await until(
        'the job to train',
        async () => (((await Job.fromId(q, jobId))?.progress as { epoch?: number } | undefined)?.epoch ?? 0) >= 1,
        180_000,
      );
      const sent = Date.now();
      first.child.kill('SIGTERM');
      const exited = await Promise.race([
        first.exited.then(() => 'exited'),
        new Promise((ok) => setTimeout(() => ok('still running'), 62_000)),
      ]);
      expect(exited, first.log()).toBe('exited');
      expect(Date.now() - sent).toBeLessThan(62_000);
      expect(first.log()).toMatch(/handing them back to the queue/);
      const state = await (await Job.fromId(q, jobId))!.getState();
      expect(state).toBe('waiting'); // handed back, not failed
      expect((await Job.fromId(q, jobId))!.attemptsMade).toBe(0); // and no attempt spent
      await worker(env, []);
      const pointer = await waitForAudit(jobId, { settings, timeoutMs: 300_000 });
      expect(pointer.resultPath).toBeTruthy();
      expect(await (await Job.fromId(q, jobId))!.getState()).toBe('completed');
    } finally {
      await q.close();
    }
  }, 500_000);

  it('schedule list reports missed runs when no worker took a due run', async () => {
    const { env } = fresh();
    const add = await runCli(['schedule', 'add', 'every-second', '--every', '1000', 'fixtures/specs/iris.json'], {
      env,
    });
    expect(add.code, add.stderr).toBe(0);
    const first = await runCli(['schedule', 'list'], { env });
    expect(first.stdout, first.stderr).toMatch(/^every-second\tevery 1000 ms\tnext \S+/m);
    expect(first.stdout).not.toMatch(/MISSED/); // just added: nothing is overdue yet
    // No worker runs on this prefix: once the due run is older than the grace, list must say it was missed.
    const line = await until(
      'a MISSED line',
      async () => {
        const r = await runCli(['schedule', 'list'], { env });
        return /MISSED/.test(r.stdout) ? r.stdout : null;
      },
      MISSED_GRACE_MS + 120_000,
    );
    const m =
      /^every-second\tevery 1000 ms\tnext (\S+)\t.*\tMISSED (\d+) run\(s\) since (\S+): no worker took them/m.exec(
        line,
      );
    expect(m, line).not.toBeNull();
    expect(Date.parse(m![1]!)).toBeLessThan(Date.now() - MISSED_GRACE_MS); // next lies in the past
    expect(Number(m![2])).toBeGreaterThanOrEqual(MISSED_GRACE_MS / 1000);
  }, 400_000);
});
