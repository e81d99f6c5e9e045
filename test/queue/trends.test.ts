import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAudit, waitForAudit } from '../../src/queue/producer.js';
import { queueSettings } from '../../src/queue/settings.js';
import { listRuns } from '../../src/queue/history.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startSmtp, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';

/**
 * Nightly trends end to end: the same named audit runs twice through real Redis, a real worker, real Chromium and
 * a real SMTP receiver on loopback; between the runs the spec gets worse (the second hidden layer's bias -8 kills
 * its ReLUs). The second report and email must say what got worse with both numbers, and the change budget
 * `dead-relu: ["error", { maxIncrease: 0.1 }]` must fail the gate.
 */
const NAME = 'nightly-trend';
const fixture = (f: string) => JSON.parse(readFileSync(path.join(ROOT, 'fixtures/specs', `${f}.json`), 'utf8')) as { model: { train: { epochs: number } } };
function spec(from: 'healthy' | 'dead-relu') {
  const s = fixture(from);
  s.model.train.epochs = 8; // enough for the statistics, quick on two shared cores
  return validateSpec({ ...s, name: NAME, gate: { preset: 'recommended', assertions: { 'dead-relu': ['error', { maxIncrease: 0.1 }] } } });
}

let env: Record<string, string>;
let worker: WorkerProcess;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const settings = () => queueSettings({ ...process.env, ...env });

describeWith(['redis', 'chromium'], 'trends across queued runs (real Redis, SMTP and Chromium)', () => {
  beforeAll(async () => {
    smtp = await startSmtp();
    env = queueEnv({ SMTP_URL: smtp.url });
    worker = startWorker(env);
    await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 20_000);
  });

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await smtp?.close();
    if (env) await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
  });

  it('a worsened second run is compared with the first: report and email say what got worse, and the change gate fails', async () => {
    const opts = { settings: settings(), email: ['ml-team@example.com'], baseDir: ROOT };
    const first = await waitForAudit((await enqueueAudit(spec('healthy'), opts)).jobId, { settings: settings() });
    const firstResult = upgradeResult(JSON.parse(readFileSync(first.resultPath, 'utf8')));
    expect(firstResult.baseline).toBeUndefined(); // the first run of a name has nothing to compare with
    const firstMail = await until('the first email', () => smtp.mails.find((m) => m.subject?.includes(NAME)), 90_000);
    expect(firstMail.subject).not.toMatch(/regressed/);

    const second = await waitForAudit((await enqueueAudit(spec('dead-relu'), opts)).jobId, { settings: settings() });
    expect(second).toMatchObject({ verdict: 'FAIL', exitCode: 1 });
    const r = upgradeResult(JSON.parse(readFileSync(second.resultPath, 'utf8')));
    const base = firstResult.findings.find((f) => f.id === 'dead-relu')!.numericValue!;
    const now = r.findings.find((f) => f.id === 'dead-relu')!.numericValue!;
    expect(now - base).toBeGreaterThan(0.1);
    expect(r.baseline).toMatchObject({ runId: firstResult.run.id, source: `previous run of ${NAME}` });
    expect(r.baseline!.regressed).toContain('dead-relu');
    expect(r.baseline!.history.map((h) => h.runId)).toEqual([firstResult.run.id, r.run.id]);
    const gate = r.gate.assertions.find((a) => a.id === 'dead-relu')!;
    expect(gate).toMatchObject({ level: 'error', passed: false });
    expect(gate.expected).toMatch(/^increase since \d{4}-\d\d-\d\d <= 0.1$/);
    const both = new RegExp(`${String(Number(base.toPrecision(3))).replace('.', '\\.')} -> ${String(Number(now.toPrecision(3))).replace('.', '\\.')}`);
    expect(gate.found).toMatch(both);

    const mail = await until('the second email', () => smtp.mails.find((m) => m.subject?.includes('regressed')), 90_000);
    expect(mail.subject).toMatch(new RegExp(`^\\[nnaudit\\] ${NAME}: FAIL, regressed since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(.*dead-relu.*\\)$`));
    expect(mail.text).toMatch(/Got worse since/);
    expect(mail.text).toMatch(both);
    const html = readFileSync(path.join(path.dirname(second.resultPath), 'report.html'), 'utf8');
    expect(html).toMatch(/Regressed since [^<]*dead-relu/);
    expect(html).toContain('class="trend-table"');

    const runs = await listRuns(settings(), NAME);
    expect(runs.map((x) => x.verdict)).toEqual([firstResult.gate.verdict, 'FAIL']);
    const cli = await runCli(['history', NAME], { env });
    expect(cli.code, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`\\t${r.run.id}\\tFAIL \\(.*dead-relu.*\\)\\t`));
    expect(lines[1]).toContain(firstResult.run.id);
  });
});
