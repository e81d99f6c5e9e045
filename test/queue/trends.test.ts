import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queueSettings } from '../../src/queue/settings.js';
import { listRuns } from '../../src/queue/history.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import type { AuditResult } from '../../src/result/schema.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startSmtp, startWorker, until, type WorkerProcess } from '../helpers/queue-env.js';

/**
 * Nightly trends end to end, through `nnaudit schedule add`: a BullMQ job scheduler fires every 2 s against a spec
 * file, with real Redis, a real worker, real Chromium and a real SMTP receiver on loopback. After the first run the
 * file gets worse (the second hidden layer's bias -8 kills its ReLUs). The test waits for the first run that audits
 * the worsened file (runs are not timed: however many fired in between, all read the healthy file): its report and
 * email must say what got worse with both numbers, and the change budget `dead-relu: ["error", { maxIncrease: 0.1 }]`
 * must fail the gate. That run exists only because each run reads the spec file again.
 */
const NAME = 'nightly-trend';
const fixture = (f: string) =>
  JSON.parse(readFileSync(path.join(ROOT, 'fixtures/specs', `${f}.json`), 'utf8')) as {
    model: { train: { epochs: number } };
  };
function spec(from: 'healthy' | 'dead-relu') {
  const s = fixture(from);
  s.model.train.epochs = 8; // enough for the statistics, quick on two shared cores
  return {
    ...s,
    name: NAME,
    gate: { preset: 'recommended', assertions: { 'dead-relu': ['error', { maxIncrease: 0.1 }] } },
  };
}
const specDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nnaudit-schedule-')));
const specFile = path.join(specDir, 'nightly.json');
const writeSpec = (from: 'healthy' | 'dead-relu') =>
  writeFileSync(specFile, `${JSON.stringify(spec(from), null, 1)}\n`);
const worsened = (r: AuditResult) => JSON.stringify(r.spec?.model ?? null).includes('"value":-8');
const resultOf = (e: { resultPath: string }) => upgradeResult(JSON.parse(readFileSync(e.resultPath, 'utf8')));

let env: Record<string, string>;
let worker: WorkerProcess;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const settings = () => queueSettings({ ...process.env, ...env });

describeWith(['redis', 'chromium'], 'trends across the runs of a schedule (real Redis, SMTP and Chromium)', () => {
  beforeAll(async () => {
    smtp = await startSmtp();
    // The worker may read the spec file where the test writes it (its input policy confines reads).
    env = queueEnv({ SMTP_URL: smtp.url, NNAUDIT_DATA_DIRS: `${ROOT},${specDir}` });
    worker = startWorker(env);
    await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 120_000);
  });

  afterAll(async () => {
    if (env) await runCli(['schedule', 'remove', NAME], { env });
    await worker?.stop('SIGTERM');
    await smtp?.close();
    if (env) await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
  });

  it('a schedule fires twice with the spec file worsened in between: report and email say what got worse, and the change gate fails', async () => {
    writeSpec('healthy');
    const add = await runCli(['schedule', 'add', NAME, '--every', '2000', specFile, '--email', 'ml-team@example.com'], {
      env,
    });
    expect(add.code, add.stderr).toBe(0);
    const [firstEntry] = await until(
      'the first scheduled run',
      async () => {
        const runs = await listRuns(settings(), NAME);
        return runs.length ? runs : null;
      },
      240_000,
    );
    const firstResult = resultOf(firstEntry!);
    expect(worsened(firstResult)).toBe(false);
    expect(firstResult.baseline).toBeUndefined(); // the first run of a name has nothing to compare with
    const firstMail = await until('the first email', () => smtp.mails.find((m) => m.subject?.includes(NAME)), 90_000);
    expect(firstMail.subject).not.toMatch(/regressed/);

    writeSpec('dead-relu');
    const runs = await until(
      'a scheduled run of the worsened spec file',
      async () => {
        const all = await listRuns(settings(), NAME);
        return all.some((e) => worsened(resultOf(e))) ? all : null;
      },
      480_000,
    );
    await runCli(['schedule', 'remove', NAME], { env });
    const at = runs.findIndex((e) => worsened(resultOf(e)));
    const r = resultOf(runs[at]!);
    const previous = resultOf(runs[at - 1]!);
    expect(runs.slice(0, at).every((e) => !worsened(resultOf(e)))).toBe(true);
    expect(r.gate.verdict).toBe('FAIL');
    const base = previous.findings.find((f) => f.id === 'dead-relu')!.numericValue!;
    const now = r.findings.find((f) => f.id === 'dead-relu')!.numericValue!;
    expect(now - base).toBeGreaterThan(0.1);
    expect(r.baseline).toMatchObject({ runId: previous.run.id, source: `previous run of ${NAME}` });
    expect(r.baseline!.regressed).toContain('dead-relu');
    expect(r.baseline!.history.map((h) => h.runId)).toEqual(
      runs
        .slice(0, at + 1)
        .map((e) => e.runId)
        .slice(-r.baseline!.history.length),
    );
    const gate = r.gate.assertions.find((a) => a.id === 'dead-relu')!;
    expect(gate).toMatchObject({ level: 'error', passed: false });
    expect(gate.expected).toMatch(/^increase since \d{4}-\d\d-\d\d <= 0.1$/);
    const both = new RegExp(
      `${String(Number(base.toPrecision(3))).replace('.', '\\.')} -> ${String(Number(now.toPrecision(3))).replace('.', '\\.')}`,
    );
    expect(gate.found).toMatch(both);

    const mail = await until(
      'the email of the worsened run',
      () => smtp.mails.find((m) => m.subject?.includes('regressed')),
      90_000,
    );
    expect(mail.subject).toMatch(
      new RegExp(
        `^\\[nnaudit\\] ${NAME}: FAIL, regressed since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(.*dead-relu.*\\)$`,
      ),
    );
    expect(mail.text).toMatch(/Got worse since/);
    expect(mail.text).toMatch(both);
    const html = readFileSync(path.join(path.dirname(runs[at]!.resultPath), 'report.html'), 'utf8');
    expect(html).toMatch(/Regressed since [^<]*dead-relu/);
    expect(html).toContain('class="trend-table"');

    const cli = await runCli(['history', NAME], { env });
    expect(cli.code, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.find((l) => l.includes(r.run.id))).toMatch(new RegExp(`\\t${r.run.id}\\tFAIL \\(.*dead-relu.*\\)\\t`));
    expect(lines.some((l) => l.includes(firstResult.run.id))).toBe(true);
  });
});
