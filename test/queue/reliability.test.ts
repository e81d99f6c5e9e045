import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueAudit, waitForAudit } from '../../src/queue/producer.js';
import { queueSettings } from '../../src/queue/settings.js';
import { openQueue } from '../../src/queue/queues.js';
import type { AuditPointer } from '../../src/queue/job-data.js';
import { ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';
import { startTestRedis, type TestRedis } from './redis-server.js';

const iris = path.join(ROOT, 'fixtures/specs/iris.json');

describeWith(['redis', 'chromium'], 'reliability', () => {
  it('20 audits, two worker processes, one SIGKILLed mid-job: every job completes once, nothing lost', async () => {
    const env = queueEnv();
    const settings = queueSettings({ ...process.env, ...env });
    const a = startWorker(env, ['--queue', 'audit,render']);
    const b = startWorker(env, ['--queue', 'audit,render']);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++)
        ids.push(
          (
            await enqueueAudit(
              { ...JSON.parse(readFileSync(iris, 'utf8')), seed: i },
              { settings, formats: ['html'], baseDir: path.dirname(iris) },
            )
          ).jobId,
        );
      // Kill worker A while it holds an active job.
      const queue = openQueue('audit', settings);
      await until(
        'worker A to be mid-job',
        async () => /audit \d+ completed/.test(a.log()) && (await queue.getActiveCount()) > 0,
        300_000,
      );
      a.child.kill('SIGKILL');
      // No per-job deadline: on 2 busy cores 20 trainings take minutes; the test's own timeout bounds the wait.
      const pointers = await Promise.all(ids.map((id) => waitForAudit(id, { settings })));
      expect(pointers.map((p) => p.modelName)).toEqual(Array(20).fill('iris'));
      expect(pointers.filter((p) => p.reused).length).toBeLessThanOrEqual(1);
      for (const [i, id] of ids.entries()) {
        const job = await Job.fromId(queue, id);
        expect(await job!.getState()).toBe('completed');
        // The file on disk is the write the completed job reported: nobody rewrote it afterwards.
        const pointer = job!.returnvalue as AuditPointer;
        const onDisk = JSON.parse(
          readFileSync(path.join(env['NNAUDIT_REPORTS_DIR']!, pointer.runId, 'result.json'), 'utf8'),
        ) as { run: { id: string; finishedAt: string; seed: number } };
        expect(onDisk.run).toMatchObject({ id: pointer.runId, finishedAt: pointer.runFinishedAt, seed: i });
      }
      const render = openQueue('render', settings);
      await until('all 20 renders', async () => (await render.getCompletedCount()) === 20, 300_000);
      await render.close();
      await queue.close();
    } finally {
      await b.stop();
      await a.stop('SIGKILL');
      await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
    }
  }, 900_000);

  describe('Redis restart', () => {
    let redis: TestRedis | null = null;
    beforeAll(async () => {
      redis = await startTestRedis();
    });
    afterAll(() => {
      redis?.stop();
    });

    it('workers reconnect after Redis restarts mid-run, and the jobs complete', async () => {
      const env = queueEnv({ REDIS_URL: redis!.url });
      const settings = queueSettings({ ...process.env, ...env });
      let worker: WorkerProcess | null = startWorker(env, ['--queue', 'audit,render']);
      try {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) ids.push((await enqueueAudit(iris, { settings, formats: ['html'] })).jobId);
        await until('the first audit', () => /audit \d+ completed/.test(worker!.log()), 300_000);
        await redis!.restart(); // graceful: the append-only file keeps the queue
        const pointers = await Promise.all(ids.map((id) => waitForAudit(id, { settings })));
        expect(pointers.map((p) => p.verdict)).toEqual(Array(6).fill('PASS'));
        expect(worker.log()).toMatch(/audit \d+ completed[\s\S]*audit \d+ completed/);
      } finally {
        await worker?.stop();
        worker = null;
      }
    }, 600_000);
  });
});
