import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Job } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAudit as enqueueAny, waitForAudit } from '../../src/queue/producer.js';
import type { SpecInput } from '../../src/config/spec-schema.js';
import { openQueue } from '../../src/queue/queues.js';
import { queueSettings, type QueueSettings } from '../../src/queue/settings.js';
import { runCli } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { queueEnv, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';
import { iris, jobFailure, long } from '../helpers/queue-jobs.js';
import { startTestRedis, type TestRedis } from './redis-server.js';
import { alive, commandLine, descendants, isBrowser } from './process-tree.js';

/** Issue #9 points 2, 4 and 5 at the queue: untrusted specs, bounded jobs, cancel, no orphan browser. */
const SECRET = 'SECRET_TOKEN_77c1';
let redis: TestRedis;
let env: Record<string, string>;
let settings: QueueSettings;
let worker: WorkerProcess;
let server: Server;
let base: string;
/** Specs here are built loosely from the iris fixture; the worker (and enqueue) validate them. */
const enqueueAudit = (spec: unknown, opts: Parameters<typeof enqueueAny>[1]) => enqueueAny(spec as SpecInput, opts);
const outside = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-outside-'));

const failure = (jobId: string) => jobFailure(jobId, settings);

describeWith(['redis', 'chromium'], 'queue limits and policy (real worker)', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    server = createServer((_q, res) => res.end(`${SECRET} internal`));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = { ...queueEnv(), REDIS_URL: redis.url, NNAUDIT_ATTEMPTS: '3' };
    settings = queueSettings({ ...process.env, ...env });
    worker = startWorker(env, ['--queue', 'audit,render', '--shutdown-grace', '5']);
    await until('the worker', () => worker.log().includes('nnaudit worker: queues'), 120_000);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    server?.close();
    redis?.stop();
  });

  it('a URL to an internal host fails once, naming NNAUDIT_ALLOWED_HOSTS, without quoting the response', async () => {
    const { jobId } = await enqueueAudit(
      {
        name: 'ssrf',
        model: { load: { path: `${base}/secret`, loss: 'meanSquaredError' } },
        data: { generator: 'iris' },
      },
      { settings, formats: ['html'] },
    );
    const f = await failure(jobId);
    expect(f.reason).toMatch(/host 127\.0\.0\.1 is not allowed on this worker \(NNAUDIT_ALLOWED_HOSTS=/);
    expect(f.reason).not.toContain('SECRET');
    expect(f.attempts).toBe(1); // not retried
  }, 200_000);

  it('a data file outside NNAUDIT_DATA_DIRS fails once, whatever baseDir the client sent', async () => {
    writeFileSync(path.join(outside, 'keys.csv'), `API_KEY=${SECRET}\n1\n2\n`);
    const { jobId } = await enqueueAudit(
      { ...iris, name: 'file-read', data: { csv: 'keys.csv', label: 'y' } },
      { settings, formats: ['html'], baseDir: outside },
    );
    const f = await failure(jobId);
    expect(f.reason).toMatch(/keys\.csv: data file is outside the folders this worker may read/);
    expect(f.reason).not.toContain(SECRET);
    expect(f.attempts).toBe(1);
  }, 200_000);

  it('email to a domain not in NNAUDIT_EMAIL_DOMAINS fails before training', async () => {
    const { jobId } = await enqueueAudit(
      { ...iris, name: 'mail' },
      { settings, formats: ['html'], email: ['someone@evil.test'] },
    );
    const f = await failure(jobId);
    expect(f.reason).toMatch(
      /email someone@evil\.test: domain evil\.test is not allowed on this worker \(NNAUDIT_EMAIL_DOMAINS=example\.com\)/,
    );
  }, 200_000);

  it('limits.timeoutSeconds stops a 10,000-epoch job and it is not retried', async () => {
    const { jobId } = await enqueueAudit(long({ name: 'slow', limits: { timeoutSeconds: 3 } }), {
      settings,
      formats: ['html'],
    });
    const f = await failure(jobId);
    expect(f.reason).toMatch(/timed out after 3 s \(limits\.timeoutSeconds/);
    expect(f.attempts).toBe(1);
  }, 200_000);

  it('nnaudit cancel stops a running job; it is not retried', async () => {
    const { jobId } = await enqueueAudit(long({ name: 'to-cancel' }), { settings, formats: ['html'] });
    const q = openQueue('audit', settings);
    await until(
      'the job to train',
      async () => (((await Job.fromId(q, jobId))?.progress as { epoch?: number } | undefined)?.epoch ?? 0) >= 1,
      120_000,
    );
    await q.close();
    const r = await runCli(['cancel', jobId], { env });
    expect(r.stdout, r.stderr).toMatch(/cancel sent/);
    const f = await failure(jobId);
    expect(f.reason).toMatch(/cancelled/);
    expect(f.attempts).toBe(1);
  }, 200_000);

  it('a worker killed with SIGKILL leaves no Chromium behind', async () => {
    const { jobId } = await enqueueAudit({ ...iris, name: 'pdf' }, { settings, formats: ['html', 'pdf'] });
    await waitForAudit(jobId, { settings, timeoutMs: 180_000 });
    const render = openQueue('render', settings);
    await until('the PDF render', async () => (await render.getCompletedCount()) >= 1, 120_000);
    await render.close();
    const browsers = descendants(worker.child.pid!).filter(isBrowser);
    expect(browsers.length).toBeGreaterThan(0); // the warm browser is up
    await worker.stop('SIGKILL');
    const left = await until(
      'the browsers to exit',
      () => (alive(browsers).length === 0 ? 'none' : null),
      20_000,
    ).catch(() => alive(browsers).map(commandLine));
    expect(left).toBe('none');
  }, 300_000);
});
