import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-cli-'));
const spec = (name: string) => path.join(ROOT, 'fixtures/specs', `${name}.json`);

describe('nnaudit audit', () => {
  it('exits 1 on a sick model, prints why, and writes result.json, JUnit and Markdown', async () => {
    const out = path.join(tmp, 'dead');
    const r = await runCli([
      'audit',
      spec('dead-relu'),
      '--out',
      out,
      '--junit',
      path.join(out, 'junit.xml'),
      '--markdown',
      path.join(out, 'summary.md'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+dead-relu\s+100% dead in dense_2/);
    expect(r.stdout).toMatch(
      /Gate assertions not met:\n {2}\[error\] dead-relu: expected status pass or warn, found fail/,
    );
    expect(r.stderr).toMatch(/dead-relu: epoch 20\/20/); // plain progress lines when not a TTY
    const result = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as {
      schemaVersion: number;
      gate: { verdict: string };
    };
    expect(result).toMatchObject({ schemaVersion: 1, gate: { verdict: 'FAIL' } });
    const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<testcase classname="nnaudit.dead-relu" name="nnaudit.dead-relu"><failure message="ReLU units are dead: 100% dead in dense_2/,
    );
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/## nnaudit: dead-relu — FAIL/);
  });

  it('exits 0 on a healthy model; --json prints only JSON on stdout; --quiet silences progress', async () => {
    const r = await runCli(['audit', spec('iris'), '--json', '--quiet']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      gate: { passed: boolean };
      run: { backend: { name: string; reason: string } };
    };
    expect(result.gate.passed).toBe(true);
    expect(result.run.backend.reason.length).toBeGreaterThan(5);
    expect(r.stderr).not.toMatch(/epoch/);
  });

  it('reads YAML specs, and --preset strict turns warnings into failures', async () => {
    const yamlSpec = path.join(tmp, 'underfit.yaml');
    writeFileSync(
      yamlSpec,
      [
        'name: warn-case',
        'seed: 42',
        'data: { generator: moons, samples: 400, noise: 0.45, normalize: standardize }',
        'model:',
        '  train:',
        '    loss: binaryCrossentropy',
        '    epochs: 20',
        '    optimizer: { name: adam, learningRate: 0.05 }',
        '    layers:',
        '      - { type: dense, units: 1, activation: sigmoid }',
      ].join('\n'),
    );
    const normal = await runCli(['audit', yamlSpec, '-q']);
    const strict = await runCli(['audit', yamlSpec, '-q', '--preset', 'strict']);
    expect(normal.stdout).toMatch(/WARN\s+underfitting/);
    expect(normal.code).toBe(0);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/\[error\] underfitting: expected score >= 0.9/);
  });

  it('audits a saved model without a spec, with --loss when model.json has none', async () => {
    const r = await runCli([
      'audit',
      '--model',
      'fixtures/models/wine-mlp-no-training-config/model.json',
      '--data',
      'fixtures/data/wine-standardized.json',
      '--loss',
      'categoricalCrossentropy',
      '--out',
      path.join(tmp, 'wine'),
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nnaudit wine-mlp-no-training-config \(loaded/);
    expect(existsSync(path.join(tmp, 'wine', 'result.json'))).toBe(true);
  });

  it('gather then analyze gives the same verdicts as audit, and analyze re-judges under another preset', async () => {
    const a = path.join(tmp, 'halves');
    const g = await runCli(['gather', spec('overfitting'), '--out', a, '-q']);
    expect(g.code).toBe(0);
    const an = await runCli(['analyze', path.join(a, 'artifacts.json'), '--out', path.join(a, 'r'), '--json']);
    expect(an.code).toBe(1);
    const result = JSON.parse(an.stdout) as {
      findings: Array<{ id: string; status: string }>;
      spec: { name: string } | null;
    };
    expect(result.findings.find((f) => f.id === 'overfitting')?.status).toBe('fail');
    expect(result.spec?.name).toBe('overfitting');
    const off = await runCli(['analyze', path.join(a, 'artifacts.json'), '--preset', 'none']);
    expect(off.code).toBe(0);
    const bad = await runCli(['analyze', path.join(tmp, 'nothing.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nothing.json: artifacts file not found/);
  });

  it('--help teaches: every command has examples, and every option says what it does', async () => {
    for (const cmd of [
      [],
      ...[
        'audit',
        'gather',
        'analyze',
        'render',
        'demo',
        'fix',
        'worker',
        'enqueue',
        'schedule',
        'jobs',
        'history',
        'status',
        'cancel',
      ].map((c) => [c]),
    ]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout, cmd.join(' ')).toMatch(/Examples:/);
      // An option line with nothing between the flag and its [type] (e.g. "-q, --quiet   [boolean]") teaches nothing.
      const bare = r.stdout.split('\n').filter((line) => /^\s+(-\w, )?--[\w-]+\s+\[/.test(line));
      expect(bare, `${cmd.join(' ') || 'nnaudit'}: options without a description`).toEqual([]);
    }
  });
});
