import { afterAll, beforeAll, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { audit } from '../../src/audit/audit.js';
import { loadSpecFile } from '../../src/config/load-spec.js';
import { fixtureSpecPath } from '../../src/cli/fixtures.js';
import { findFixes, TrialRunnerUnavailable } from '../../src/fix/run-fixes.js';
import { queueTrialRunner } from '../../src/fix/queue-trials.js';
import { fixSummary } from '../../src/fix/report.js';
import { openQueue } from '../../src/queue/queues.js';
import { queueSettings } from '../../src/queue/settings.js';
import type { AuditPointer } from '../../src/queue/job-data.js';
import type { FixReport } from '../../src/fix/run-fixes.js';
import { runCli } from '../helpers/cli.js';
import { sampleResult } from '../helpers/results.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';

let env: Record<string, string>;
let idle: Record<string, string>;
let worker: WorkerProcess;
const settings = (e: Record<string, string>) => queueSettings({ ...process.env, ...e });

describeWith(
  ['redis'],
  'nnaudit fix --queue: candidates as audit jobs on a real worker pool (real Redis, a real worker)',
  () => {
    beforeAll(async () => {
      env = queueEnv();
      idle = queueEnv(); // a prefix no worker serves
      worker = startWorker(env, ['--queue', 'audit', '--concurrency', '2']);
      await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 120_000);
    });

    afterAll(async () => {
      await worker?.stop('SIGTERM');
      if (env) await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
      if (idle) await cleanupPrefix(idle['NNAUDIT_QUEUE_PREFIX']!);
    });

    it('trains two candidates as two jobs at once, each in its own run, and reaches what the in-process fix reaches', async () => {
      const { spec, baseDir } = loadSpecFile(fixtureSpecPath('dead-relu'));
      const baseline = await audit(spec, { baseDir });
      const runner = await queueTrialRunner({
        settings: settings(env),
        baseDir,
        label: 'dead-relu',
        parallel: 2,
        pollMs: 200,
      });
      let queued: FixReport;
      try {
        expect(runner.workers).toBe(1);
        queued = await findFixes(spec, baseline, { maxTrials: 2, maxRounds: 1, ...runner });
      } finally {
        await runner.close();
      }
      const local = await findFixes(spec, baseline, {
        maxTrials: 2,
        maxRounds: 1,
        runTrial: (s) => audit(s, { baseDir, failFast: true }),
      });

      // Two jobs really ran on the queue, overlapping, each with its own run id (own output folder).
      expect(runner.jobIds).toHaveLength(2);
      const q = openQueue('audit', settings(env));
      try {
        const jobs = await Promise.all(runner.jobIds.map((id) => Job.fromId(q, id)));
        for (const j of jobs) expect(await j!.getState()).toBe('completed');
        const [a, b] = jobs.map((j) => ({
          start: j!.processedOn!,
          end: j!.finishedOn!,
          pointer: j!.returnvalue as AuditPointer,
        }));
        expect(a!.pointer.runId).not.toBe(b!.pointer.runId);
        expect(a!.start < b!.end && b!.start < a!.end, 'the two trials trained at the same time').toBe(true);
        expect(jobs.map((j) => (j!.data as { trial?: boolean }).trial)).toEqual([true, true]);
        // Trials are not runs of the user's model: no render job follows them.
        const render = openQueue('render', settings(env));
        expect(await render.getJobCountByTypes('waiting', 'active', 'completed', 'failed')).toBe(0);
        await render.close();
      } finally {
        await q.close();
      }

      // Same candidates, same seed: the same trials (all but the wall time), the same best fix and summary.
      const strip = (r: FixReport) => r.trials.map(({ seconds: _s, ...t }) => t);
      expect(strip(queued!)).toEqual(strip(local));
      expect(queued!.trials.map((t) => t.repairs[0]!.id)).toEqual(['he-init', 'leaky-relu']);
      expect(fixSummary(queued!)).toBe(fixSummary(local));
    }, 900_000);

    it('fails at once, with the fix in the message, when no worker serves the queue (never a silent wait)', async () => {
      const { baseDir } = loadSpecFile(fixtureSpecPath('dead-relu'));
      await expect(queueTrialRunner({ settings: settings(idle), baseDir, label: 'x' })).rejects.toThrow(
        /no worker is connected to the audit queue .*nnaudit worker.*drop --queue/,
      );
      const cli = await runCli(['fix', fixtureSpecPath('dead-relu'), '--queue', '-q'], { env: idle });
      expect(cli.code).toBe(2);
      expect(cli.stderr).toMatch(/no worker is connected to the audit queue/);
    }, 120_000);

    it('a trial that waits while no worker is connected ends the fix with that hint and leaves no job behind', async () => {
      const { spec, baseDir } = loadSpecFile(fixtureSpecPath('dead-relu'));
      const baseline = sampleResult('dead-relu'); // the stored result of this fixture: no need to train it here
      const runner = await queueTrialRunner({
        settings: settings(idle),
        baseDir,
        label: 'x',
        parallel: 1,
        noWorkerMs: 500,
        pollMs: 100,
      });
      try {
        await expect(findFixes(spec, baseline, { ...runner })).rejects.toBeInstanceOf(TrialRunnerUnavailable);
        expect(runner.jobIds).toHaveLength(1);
      } finally {
        await runner.close();
      }
      const q = openQueue('audit', settings(idle));
      try {
        expect(await q.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')).toBe(0);
      } finally {
        await q.close();
      }
    }, 300_000);
  },
);
