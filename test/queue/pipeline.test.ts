import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueAudit, waitForAudit } from '../../src/queue/producer.js';
import { queueSettings } from '../../src/queue/settings.js';
import { listSchedules, removeSchedule, upsertSchedule } from '../../src/queue/schedules.js';
import { auditJobData } from '../../src/queue/producer.js';
import { listJobs } from '../../src/queue/inspect.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startSmtp, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';

const spec = (name: string) => path.join(ROOT, 'fixtures/specs', `${name}.json`);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-q-'));
let env: Record<string, string>;
let worker: WorkerProcess;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const settings = () => queueSettings({ ...process.env, ...env });

describeWith(['redis', 'chromium'], 'queue pipeline (real Redis, real SMTP on loopback, real Chromium)', () => {
  beforeAll(async () => {
    smtp = await startSmtp();
    env = queueEnv({ SMTP_URL: smtp.url });
    worker = startWorker(env);
    await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 120_000);
  });

  afterAll(async () => {
    const code = await worker?.stop('SIGTERM');
    await smtp?.close();
    if (env) await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
    expect(code, worker?.log()).toBe(0); // SIGTERM: active jobs finish, then a clean exit
  });

  it('enqueue -> audit -> render -> email with a PDF whose text holds the verdict', async () => {
    const { jobId } = await enqueueAudit(spec('dead-relu'), { settings: settings(), email: ['ml-team@example.com'] });
    const pointer = await waitForAudit(jobId, { settings: settings() });
    expect(pointer).toMatchObject({ verdict: 'FAIL', exitCode: 1, modelName: 'dead-relu', reused: false });
    expect(pointer.resultPath).toBe(path.join(env['NNAUDIT_REPORTS_DIR']!, pointer.runId, 'result.json'));
    const mail = await until('the email', () => smtp.mails.find((m) => m.subject?.includes('dead-relu')), 240_000);
    expect(mail.subject).toBe('[nnaudit] dead-relu: FAIL');
    expect(mail.text).toMatch(/FAIL {2}dead-relu: 100% dead in dense_2/);
    const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf, 'PDF attachment').toBeDefined();
    const parser = new PDFParse({ data: new Uint8Array(pdf!.content) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    expect(text).toContain('FAIL');
    expect(text).toContain('ReLU units are dead');
    const status = await runCli(['status', jobId], { env });
    expect(status.stdout).toMatch(/render: completed, .*report\.pdf/);
    expect(status.stdout).toMatch(/notify: completed, sent to ml-team@example.com/);
  });

  it('enqueue --wait follows progress and exits with the gate code', async () => {
    const fail = await runCli(['enqueue', spec('underfitting'), '--wait', '--no-pdf'], { env });
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stdout).toMatch(/underfitting: FAIL/);
    expect(fail.stderr).toMatch(/epoch \d+\/30/);
    const pass = await runCli(['enqueue', spec('iris'), '--wait', '--no-pdf', '-q'], { env });
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/iris: PASS/);
  });

  it('fails a bad job once, without retries, and lists it with its reason', async () => {
    const badSpec = path.join(tmp, 'bad.json');
    writeFileSync(
      badSpec,
      JSON.stringify({
        name: 'missing-model',
        model: { load: { path: 'nowhere/model.json' } },
        data: { generator: 'iris' },
      }),
    );
    const r = await runCli(['enqueue', badSpec, '--wait', '-q'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/failed: .*nowhere\/model.json: model file not found/);
    const failed = await listJobs(settings(), ['failed']);
    const row = failed.find((j) => j.label === 'missing-model');
    expect(row).toMatchObject({ attempts: 1 });
    expect(row!.failedReason).toMatch(/model file not found/);
    const cli = await runCli(['jobs', '--state', 'failed'], { env });
    expect(cli.stdout).toMatch(/missing-model.*attempts 1\treason: .*model file not found/);
  });

  it('rejects an invalid spec at enqueue time (exit 2), before it reaches a worker', async () => {
    const bad = path.join(tmp, 'invalid.json');
    writeFileSync(
      bad,
      JSON.stringify({ model: { train: { layers: [], loss: 'hinge' } }, data: { generator: 'iris' } }),
    );
    const r = await runCli(['enqueue', bad], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model.train.layers: .*\n.*model.train.loss/);
  });

  it('--dedupe returns the pending job instead of adding a second one', async () => {
    const a = await enqueueAudit(spec('iris'), { settings: settings(), dedupe: true, formats: ['html'] });
    const b = await enqueueAudit(spec('iris'), { settings: settings(), dedupe: true, formats: ['html'] });
    expect(b.jobId).toBe(a.jobId);
    expect(b.deduplicated).toBe(true);
    await waitForAudit(a.jobId, { settings: settings() });
    const c = await enqueueAudit(spec('iris'), { settings: settings(), dedupe: true, formats: ['html'] });
    expect(c.jobId).not.toBe(a.jobId); // no longer pending: a new audit
    await waitForAudit(c.jobId, { settings: settings() });
  });

  it('a schedule with `every` fires, updates in place by name, and is removed', async () => {
    const data = auditJobData(spec('iris'), { formats: ['html'] });
    await upsertSchedule(settings(), 'every-test', { everyMs: 1500 }, data);
    await upsertSchedule(settings(), 'every-test', { everyMs: 2000 }, data);
    const listed = (await listSchedules(settings())).filter((s) => s.name === 'every-test');
    expect(listed).toHaveLength(1);
    expect(listed[0]!.repeat).toBe('every 2000 ms');
    await until(
      'a scheduled audit to complete',
      async () =>
        (await listJobs(settings(), ['completed'], 200)).some(
          (j) => j.label === 'iris' && j.verdict === 'PASS' && j.id.startsWith('repeat:'),
        ),
      240_000,
    );
    expect(await removeSchedule(settings(), 'every-test')).toBe(true);
    const cli = await runCli(['schedule', 'list'], { env });
    expect(cli.stdout).not.toContain('every-test');
  });
});

describe('queue configuration errors', () => {
  it('a worker asked for the notify queue without SMTP_URL refuses to start, naming the setting', async () => {
    // Without --queue it starts with email off instead (test/queue/worker-email.test.ts).
    const w = startWorker({ ...queueEnv(), SMTP_URL: '' }, ['--queue', 'audit,render,notify']);
    expect(await w.exited).toBe(2);
    expect(w.log()).toMatch(/SMTP_URL is not set/);
  });

  it('enqueue without a reachable Redis exits 2 and says how to fix it', async () => {
    const r = await runCli(['enqueue', spec('iris')], { env: { ...queueEnv(), REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/127.0.0.1:1.*REDIS_URL/);
  });
});
