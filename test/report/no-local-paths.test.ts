import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeEmail } from '../../src/notify/email.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { runCli, ROOT } from '../helpers/cli.js';

/** A folder name no output has any reason to print: if it shows up, a local path leaked. */
const MARK = 'leakcheck-quokka';
const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), `nnaudit-${MARK}-`)));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('no local path in any output (reports get emailed, CI annotations are public)', () => {
  it('html, markdown, junit, gitlab, github annotations, terminal summary and the e-mail name no folder of the run', async () => {
    // A loaded model and its data in the temp folder, a spec there naming them by absolute path, two runs (the
    // second with --baseline the first, so the baseline's file is recorded too) and a gate that fails, so the
    // CI formats have something to annotate.
    mkdirSync(path.join(tmp, 'wine-mlp'));
    for (const f of ['model.json', 'weights.bin'])
      copyFileSync(path.join(fixturesDir(), 'models', 'wine-mlp', f), path.join(tmp, 'wine-mlp', f));
    copyFileSync(path.join(fixturesDir(), 'data', 'wine-standardized.json'), path.join(tmp, 'wine.json'));
    const spec = path.join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'leak-check',
        model: { load: { path: path.join(tmp, 'wine-mlp', 'model.json') } },
        data: { json: path.join(tmp, 'wine.json') },
        gate: {
          assertions: {
            'exploding-gradients': ['error', { maxNumericValue: 1e-9 }],
            'dead-relu': ['error', { maxIncrease: 0 }],
          },
        },
      }),
    );
    const first = await runCli(['audit', spec, '--out', path.join(tmp, 'run1'), '-q']);
    expect(first.code, first.stderr).toBe(1); // the gate above fails
    const out = path.join(tmp, 'run2');
    const second = await runCli([
      'audit',
      spec,
      '--out',
      out,
      '--baseline',
      path.join(tmp, 'run1', 'result.json'),
      '--format',
      'json,html,junit,markdown,gitlab,github',
      // -q leaves out the "wrote <file>" lines (the CLI telling its own user where files went); the summary stays.
      '-q',
    ]);
    expect(second.code, second.stderr).toBe(1);
    const result = upgradeResult(JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')), 'result.json');
    // The record keeps its paths (the check is not vacuous); the outputs must not.
    expect(JSON.stringify(result)).toContain(MARK);
    const email = composeEmail(result);
    const outputs: Record<string, string> = {
      'report.html': readFileSync(path.join(out, 'report.html'), 'utf8'),
      'summary.md': readFileSync(path.join(out, 'summary.md'), 'utf8'),
      'junit.xml': readFileSync(path.join(out, 'junit.xml'), 'utf8'),
      'gl-code-quality-report.json': readFileSync(path.join(out, 'gl-code-quality-report.json'), 'utf8'),
      'stdout (terminal summary and GitHub annotations)': second.stdout,
      'e-mail': `${email.subject}\n${email.text}`,
    };
    expect(second.stdout).toMatch(/^::error /m);
    expect(second.stdout).toMatch(/^nnaudit leak-check \(loaded/m);
    expect(outputs['summary.md']).toMatch(/(Regressed|No regression) since/);
    const forbidden = [MARK, `${os.tmpdir()}/`, `${realpathSync(os.tmpdir())}/`, `${os.homedir()}/`, `${ROOT}/`];
    for (const [name, text] of Object.entries(outputs))
      for (const f of forbidden) expect(text.includes(f), `${name} contains ${f}`).toBe(false);
  });
});
