import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-fix-'));
const spec = (name: string) => path.join(ROOT, 'fixtures/specs', `${name}.json`);

describe('nnaudit fix', () => {
  it('writes a fixed.yaml for the dead-relu fixture that passes nnaudit audit', async () => {
    const out = path.join(tmp, 'dead-relu');
    const r = await runCli(['fix', spec('dead-relu'), '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^finding\s+patch\s+value before -> after\s+verdict\s+time/m);
    expect(r.stdout).toMatch(/^dead-relu\s+he-init\s+1 -> \S+ \(pass\)\s+cleared, gate passes/m);
    expect(r.stdout).toMatch(
      /Best verified fix: heNormal kernels and zero biases on ReLU layers: clears dead-relu, underfitting; gate PASS/,
    );
    const fixed = path.join(out, 'fixed.yaml');
    expect(existsSync(fixed)).toBe(true);
    expect(readFileSync(fixed, 'utf8')).toMatch(/^# fixed by nnaudit fix: heNormal kernels and zero biases/);
    const again = await runCli(['audit', fixed, '--quiet']);
    expect(again.stdout).toMatch(/: PASS|: WARN/);
    expect(again.code).toBe(0);
  }, 900_000);

  it('audit --try-fixes marks the verified recommendation in every output and writes fixed.yaml to --out', async () => {
    const out = path.join(tmp, 'try');
    const md = path.join(out, 'summary.md');
    const r = await runCli([
      'audit',
      spec('dead-relu'),
      '--try-fixes',
      '--max-trials',
      '3',
      '--out',
      out,
      '--markdown',
      md,
      '--quiet',
    ]);
    expect(r.code).toBe(1); // the audited spec itself still fails
    expect(r.stdout).toMatch(
      /Verified fixes:\n {2}(dead-relu|underfitting): verified: with heNormal kernels and zero biases on ReLU layers the fraction of units dead \(worst layer\) falls from 1 to/,
    );
    const summary = readFileSync(md, 'utf8');
    expect(summary).toMatch(/- \*\*dead-relu\*\*: .*\*\*verified: with heNormal/);
    const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as {
      findings: Array<{ id: string; verifiedFix?: { repair: string } }>;
    };
    expect(result.findings.find((f) => f.id === 'dead-relu')?.verifiedFix?.repair).toBe('he-init');
    expect(existsSync(path.join(out, 'fixed.yaml'))).toBe(true);
  }, 900_000);

  it('says plainly that unverified recommendations are advice', async () => {
    const r = await runCli([
      'audit',
      spec('dead-relu'),
      '--fail-fast',
      '--markdown',
      path.join(tmp, 'advice.md'),
      '--quiet',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/warning: training stopped at epoch 3 of 20: dead-relu: 100% dead in dense_2/);
    expect(readFileSync(path.join(tmp, 'advice.md'), 'utf8')).toMatch(
      /- \*\*dead-relu\*\*: .*_\(advice, not tested: `nnaudit fix` verifies repairs\)_/,
    );
  }, 600_000);

  it.each([
    [['--max-trials', '0'], /--max-trials 0: give a whole number of at least 1/],
    [['--time-budget', '-5'], /--time-budget -5: give a number of seconds above 0/],
  ])('rejects bad budgets %j with exit 2', async (flags, message) => {
    const r = await runCli(['fix', spec('dead-relu'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('rejects a spec that loads a saved model: fix needs to retrain', async () => {
    const file = path.join(tmp, 'load.json');
    writeFileSync(
      file,
      JSON.stringify({
        model: { load: { path: 'model.json', loss: 'binaryCrossentropy' } },
        data: { generator: 'moons' },
      }),
    );
    const r = await runCli(['fix', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.load: nnaudit fix retrains the model, so it needs a spec with model\.train/);
  });
});
