import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';

// Runs the CLI with packages made unresolvable by a preload hook, as if they were not installed.
const HOOK = path.join(ROOT, 'test/helpers/hooks/block-modules.mjs');
const without = (...packages: string[]) => ({
  nodeArgs: ['--import', HOOK],
  env: { NNAUDIT_BLOCK: packages.join(',') },
});
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-lazy-'));

describe('lazy command loading', () => {
  it('the hook has teeth: audit needs TensorFlow.js and says so in one line (exit 2, no stack)', async () => {
    const r = await runCli(['audit', 'fixtures/specs/iris.json', '-q'], without('@tensorflow/'));
    expect(r.stderr).toMatch(/blocked-import: @tensorflow\//);
    expect(r.stderr).toMatch(/nnaudit: error: nnaudit audit cannot start: Cannot find package '@tensorflow\//);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(2);
  });

  it('render runs with @tensorflow/* unresolvable and never tries to load it', async () => {
    const out = path.join(tmp, 'render');
    const r = await runCli(
      ['render', 'fixtures/results/dead-relu.json', '--out', out, '--format', 'html,junit,gitlab,github'],
      without('@tensorflow/'),
    );
    expect(r.stderr).not.toMatch(/blocked-import/);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'junit.xml'))).toBe(true);
    expect(existsSync(path.join(out, 'gl-code-quality-report.json'))).toBe(true);
    expect(r.stdout).toMatch(/^::error title=nnaudit dead-relu%3A dead-relu::ReLU units are dead/m);
  });

  it('analyze runs with @tensorflow/* unresolvable and never tries to load it', async () => {
    const dir = path.join(tmp, 'analyze');
    const file = path.join(tmp, 'artifacts.json');
    writeFileSync(
      file,
      JSON.stringify(
        makeArtifacts({ history: history({ loss: decay(20, 0.7, 0.1), val_loss: decay(20, 0.7, 0.12) }) }),
      ),
    );
    const r = await runCli(['analyze', file, '--out', dir], without('@tensorflow/'));
    expect(r.stderr).not.toMatch(/blocked-import/);
    expect([0, 1]).toContain(r.code); // the gate's verdict, not a crash
    expect(r.stdout).toMatch(/underfitting/);
    expect(existsSync(path.join(dir, 'result.json'))).toBe(true);
  });

  it('--help lists every command with its description without loading any command module', async () => {
    const r = await runCli(
      ['--help'],
      without(
        '@tensorflow/',
        'bullmq',
        'ioredis',
        'puppeteer',
        'puppeteer-core',
        'handlebars',
        'nodemailer',
        'echarts',
      ),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of [
      'audit',
      'gather',
      'analyze',
      'render',
      'demo',
      'worker',
      'enqueue',
      'schedule',
      'jobs',
      'status',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`nnaudit ${c}\\b.*\\s{2,}\\S`));
    }
  });
});
