import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAudit, waitForAudit } from '../../src/queue/producer.js';
import { queueSettings } from '../../src/queue/settings.js';
import { ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';
import { startTestRedis, type TestRedis } from './redis-server.js';

/**
 * Issue #9 point 1: BullMQ job ids are counters. Before run ids, outputs lived in <reports>/<jobId>/ and a
 * result there was reused when run.id === jobId, so a second prefix sharing the reports folder, or the same
 * prefix after Redis lost its data, got job "1" again and returned the first job's verdict (iris: PASS).
 */
const spec = (name: string) => path.join(ROOT, 'fixtures/specs', `${name}.json`);
let redis: TestRedis;
const reports = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-shared-reports-'));
const envFor = (prefix: string, url: string) => ({
  ...queueEnv(),
  REDIS_URL: url,
  NNAUDIT_QUEUE_PREFIX: prefix,
  NNAUDIT_REPORTS_DIR: reports,
  NNAUDIT_DATA_DIRS: ROOT,
});
let envA: Record<string, string>;
let envB: Record<string, string>;
let a: WorkerProcess;
let b: WorkerProcess;

describeWith(['redis'], 'job identity: outputs named by a UUID, never by a counter id', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    envA = envFor('a', redis.url);
    envB = envFor('b', redis.url);
    a = startWorker(envA, ['--queue', 'audit']);
    b = startWorker(envB, ['--queue', 'audit']);
    await until(
      'both workers',
      () => a.log().includes('nnaudit worker: queues') && b.log().includes('nnaudit worker: queues'),
      120_000,
    );
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    redis?.stop();
  });

  it('two prefixes sharing one reports folder, then Redis flushed: each audit gets its own verdict and folder', async () => {
    const sa = queueSettings({ ...process.env, ...envA });
    const sb = queueSettings({ ...process.env, ...envB });
    const first = await enqueueAudit(spec('iris'), { settings: sa, formats: ['html'] });
    const iris = await waitForAudit(first.jobId, { settings: sa, timeoutMs: 240_000 });
    expect(iris).toMatchObject({ modelName: 'iris', verdict: 'PASS', reused: false });

    const second = await enqueueAudit(spec('dead-relu'), { settings: sb, formats: ['html'] });
    expect(second.jobId).toBe(first.jobId); // the collision: both queues count from 1
    const dead = await waitForAudit(second.jobId, { settings: sb, timeoutMs: 240_000 });
    expect(dead).toMatchObject({ modelName: 'dead-relu', verdict: 'FAIL', reused: false });

    const r = new Redis(redis.url);
    await r.flushall();
    r.disconnect();
    const third = await enqueueAudit(spec('dead-relu'), { settings: sa, formats: ['html'] });
    expect(third.jobId).toBe(first.jobId); // the counter restarted
    const afterFlush = await waitForAudit(third.jobId, { settings: sa, timeoutMs: 240_000 });
    expect(afterFlush).toMatchObject({ modelName: 'dead-relu', verdict: 'FAIL', reused: false });

    const runIds = [iris.runId, dead.runId, afterFlush.runId];
    expect(new Set(runIds).size).toBe(3);
    for (const p of [iris, dead, afterFlush]) {
      expect(p.resultPath).toBe(path.join(reports, p.runId, 'result.json'));
      expect((JSON.parse(readFileSync(p.resultPath, 'utf8')) as { run: { id: string } }).run.id).toBe(p.runId);
    }
    expect(readdirSync(reports).sort()).toEqual([...runIds].sort());
    // The first job's result was not overwritten by either later job.
    expect((JSON.parse(readFileSync(iris.resultPath, 'utf8')) as { model: { name: string } }).model.name).toBe('iris');
  }, 600_000);
});
