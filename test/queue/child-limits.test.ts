import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Job } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { enqueueAudit as enqueueAny, waitForAudit } from '../../src/queue/producer.js';
import type { SpecInput } from '../../src/config/spec-schema.js';
import { openQueue } from '../../src/queue/queues.js';
import { queueSettings, type QueueSettings } from '../../src/queue/settings.js';
import { childMemory } from '../../src/queue/child-watch.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';
import { iris, jobFailure } from '../helpers/queue-jobs.js';
import { alive, descendants, identify, type ProcId } from './process-tree.js';

/**
 * Issue 24, item 3: the memory cap holds from the first byte and a heavy job's child is not reused; cancel and the
 * time limit end a job wherever its child is blocked. Real Redis, real workers, children that really block.
 */
const enqueueAudit = (spec: unknown, settings: QueueSettings) =>
  enqueueAny(spec as SpecInput, { settings, formats: ['html'] });
const workers: WorkerProcess[] = [];
const prefixes: string[] = [];
const SPIN_HOOK = pathToFileURL(path.join(ROOT, 'test/queue/hooks/spin-child.mjs')).href;
const cnnBars = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/specs/cnn-bars.json'), 'utf8')) as Record<
  string,
  unknown
>;

async function worker(extra: Record<string, string> = {}) {
  const env = queueEnv({ NNAUDIT_ATTEMPTS: '3', ...extra });
  prefixes.push(env['NNAUDIT_QUEUE_PREFIX']!);
  const w = startWorker(env, ['--queue', 'audit', '--concurrency', '1']);
  workers.push(w);
  await until('the worker', () => w.log().includes('nnaudit worker: queues'), 180_000);
  return { w, env, settings: queueSettings({ ...process.env, ...env }) };
}

/** The worker's audit children now (BullMQ's sandbox main file). */
const auditChildren = (w: WorkerProcess): ProcId[] =>
  descendants(w.child.pid!)
    .filter((p) => /bullmq/.test(p.cmd))
    .map((p) => identify(p.pid));

/** Runs one light job first, so the job under test gets a warm child and its time limit is not spent forking one. */
async function warm(settings: QueueSettings): Promise<void> {
  const { jobId } = await enqueueAudit({ ...iris, name: 'warm-up' }, settings);
  expect((await waitForAudit(jobId, { settings, timeoutMs: 300_000 })).verdict).toBe('PASS');
}

async function whenActive(settings: QueueSettings, jobId: string): Promise<void> {
  const q = openQueue('audit', settings);
  try {
    await until(
      `job ${jobId} to start`,
      async () => (await (await Job.fromId(q, jobId))?.getState()) === 'active',
      180_000,
    );
  } finally {
    await q.close();
  }
}

describeWith(['redis'], "audit children under the worker's watch (real worker)", () => {
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    for (const p of prefixes) await cleanupPrefix(p);
  });

  it('a job over limits.memoryMb while loading fails with the cap message; the light jobs after it under the same cap pass', async () => {
    const { w, settings } = await worker({ NNAUDIT_JOB_MEMORY_MB: '2048' });
    // 60,000 64x64 images: a 983 MB Float32Array filled in one synchronous loop while the data loads, before any epoch.
    const heavy = {
      ...cnnBars,
      name: 'heavy',
      limits: { memoryMb: 384 },
      data: { generator: 'bars', samples: 60_000, imageSize: 64, noise: 0.3, probeSize: 64 },
    };
    const light = (i: number) => ({ ...iris, name: `light-${i}`, limits: { memoryMb: 384 } });
    // Then a job heavy under a cap it fits (the worker's 2048 MiB): 20,000 images (328 MB) and one epoch of a small
    // dense model. It ends with much of that still resident in its child, which must not be reused under the 384 cap.
    const heavyUnderCap = {
      ...iris,
      name: 'heavy-under-cap',
      data: { ...heavy.data, samples: 20_000 },
      model: { train: { ...iris['model'].train, epochs: 1 } },
    };
    const heavyId = (await enqueueAudit(heavy, settings)).jobId;
    const underCapId = (await enqueueAudit(heavyUnderCap, settings)).jobId;
    const lightIds = [];
    for (let i = 0; i < 3; i++) lightIds.push((await enqueueAudit(light(i), settings)).jobId);
    const f = await jobFailure(heavyId, settings);
    const m = /memory cap exceeded: (\d+) MiB over the 384 MiB cap \(limits\.memoryMb/.exec(f.reason);
    expect(m, f.reason).not.toBeNull();
    expect(f.attempts).toBe(1);
    await waitForAudit(underCapId, { settings, timeoutMs: 300_000 }).catch(() => undefined); // its outcome is not the point
    for (const id of lightIds)
      expect((await waitForAudit(id, { settings, timeoutMs: 300_000 })).verdict, w.log()).toBe('PASS');
    const rss = auditChildren(w).map((p) => Math.round(childMemory(p.pid)?.rssMb ?? 0));
    process.stdout.write(
      `memory: heavy job killed at ${m![1]} MiB (cap 384); audit child after the light jobs: ${rss.join(', ')} MiB\n`,
    );
    // The heavy job's child was replaced, not handed the light jobs (killed over its cap, or restarted after its job).
    process.stdout.write(
      `memory: ${w
        .log()
        .split('\n')
        .filter((l) => /restarted instead of reused|audit \d+ failed/.test(l))
        .join(' | ')}\n`,
    );
  }, 600_000);

  it.each(['cancel', 'timeout'] as const)(
    '%s ends a job whose child is stuck in a synchronous loop; the slot frees and the child is gone',
    async (how) => {
      const { w, env, settings } = await worker({ NODE_OPTIONS: `--import ${SPIN_HOOK}` });
      await warm(settings);
      const started = Date.now();
      const { jobId } = await enqueueAudit(
        { ...iris, name: 'spin-forever', ...(how === 'timeout' ? { limits: { timeoutSeconds: 5 } } : {}) },
        settings,
      );
      await whenActive(settings, jobId);
      const stuck = await until(
        'the audit child',
        () => {
          const c = auditChildren(w);
          return c.length ? c : null;
        },
        60_000,
      );
      if (how === 'cancel') {
        await new Promise((ok) => setTimeout(ok, 2000)); // let the child reach its loop
        const r = await runCli(['cancel', jobId], { env });
        expect(r.stdout, r.stderr).toMatch(/cancel sent/);
      }
      const f = await jobFailure(jobId, settings);
      expect(f.reason).toMatch(
        how === 'cancel'
          ? /^cancelled.*did not stop within \d+ s and was killed/
          : /^timed out after 5 s \(limits\.timeoutSeconds.*was killed/,
      );
      expect(f.attempts).toBe(1);
      process.stdout.write(
        `${how}: a blocked job failed ${Math.round((Date.now() - started) / 1000)} s after it was enqueued\n`,
      );
      expect(alive(stuck)).toEqual([]); // no orphan
      const ok = await enqueueAudit({ ...iris, name: `after-${how}` }, settings);
      expect((await waitForAudit(ok.jobId, { settings, timeoutMs: 300_000 })).verdict).toBe('PASS'); // the slot is free
    },
    600_000,
  );

  it("a FIFO in a job's data folder fails the job within its time limit, and no child is left", async () => {
    const { w, settings } = await worker();
    await warm(settings);
    // Inside the worker's data dirs (queueEnv: the repo root), as the attacker placed it.
    const dir = mkdtempSync(path.join(ROOT, 'test', '.tmp-fifo-'));
    // A FIFO named as the job's CSV: open() on it blocks until a writer comes, which none does.
    execFileSync('mkfifo', [path.join(dir, 'data.csv')]);
    try {
      const spec = {
        ...iris,
        name: 'fifo',
        limits: { timeoutSeconds: 5 },
        data: { csv: path.join(dir, 'data.csv'), label: 'y' },
      };
      const started = Date.now();
      const { jobId } = await enqueueAudit(spec, settings);
      // The children that ran it: a killed one must be gone; one that refused the FIFO at once may be reused.
      const seen: ProcId[] = [];
      const look = setInterval(() => seen.push(...auditChildren(w)), 500);
      const f = await jobFailure(jobId, settings).finally(() => clearInterval(look));
      const took = Date.now() - started;
      process.stdout.write(`fifo: failed after ${Math.round(took / 1000)} s: ${f.reason.slice(0, 160)}\n`);
      expect(f.attempts).toBe(1);
      expect(took).toBeLessThan(120_000); // 5 s limit + the kill grace, on a busy machine
      if (/timed out/.test(f.reason)) expect(alive(seen)).toEqual([]);
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  }, 600_000);
});
