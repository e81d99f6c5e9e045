import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES, locateSamples, mask, sampleFiles, splice } from '../scripts/readme-samples.js';
import { ROOT } from './helpers/cli.js';

describe('README and docs samples', () => {
  it('splice replaces exactly the marked block, and mask hides only times and the backend', () => {
    const readme = 'intro\n<!-- sample:x -->\n```\nold\n```\n<!-- /sample:x -->\nrest\n';
    expect(splice(readme, { x: 'new output\n' })).toBe(
      'intro\n<!-- sample:x -->\n```\nnew output\n```\n<!-- /sample:x -->\nrest\n',
    );
    expect(() => splice(readme, { y: 'z' })).toThrow(/no <!-- sample:y -->/);
    expect(() => splice(readme, { y: 'z' }, 'docs/spec.md')).toThrow(/^docs\/spec.md has no <!-- sample:y -->/);
    expect(mask('nnaudit iris (trained, wasm backend, 1.1 s): PASS\nhealthy  PASS  pass   1.3s')).toBe(
      'nnaudit iris (trained, <backend>, <time>): PASS\nhealthy  PASS  pass <time>',
    );
    expect(mask('FAIL dead-relu 100% dead')).toBe('FAIL dead-relu 100% dead');
  });

  it('finds each sample in whichever file holds its block, and refuses a missing, doubled or unknown block', () => {
    const block = (name: string) => `<!-- sample:${name} -->\n\`\`\`\nout\n\`\`\`\n<!-- /sample:${name} -->\n`;
    const texts = {
      'README.md': `a\n${block('x')}`,
      'docs/spec.md': `b\n${block('y')}`,
      'docs/queue.md': 'no samples\n',
    };
    expect(locateSamples(texts, ['x', 'y'])).toEqual({ x: 'README.md', y: 'docs/spec.md' });
    expect(() => locateSamples(texts, ['x', 'y', 'z'])).toThrow(/no <!-- sample:z -->/);
    expect(() => locateSamples({ ...texts, 'docs/queue.md': block('x') }, ['x', 'y'])).toThrow(
      /sample:x --> appears in README.md and docs\/queue.md/,
    );
    expect(() => locateSamples(texts, ['x'])).toThrow(/docs\/spec.md: <!-- sample:y --> names no sample/);
  });

  it('every sample has exactly one block, in README.md or a docs page, and every block names a sample', () => {
    const files = sampleFiles(ROOT);
    expect(files[0]).toBe('README.md');
    const texts = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
    const where = locateSamples(
      texts,
      SAMPLES.map((s) => s.name),
    );
    expect(Object.keys(where).sort()).toEqual(SAMPLES.map((s) => s.name).sort());
  });

  // Runs the real commands (the demo trains every fixture): full tier.
  it('README.md and docs/*.md show what the commands print today (npm run readme:samples rewrites them)', async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(ROOT, 'dist/scripts/readme-samples.js'), '--check'],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` });
        },
      );
    });
    expect(r.out).toMatch(/up to date/);
    expect(r.code).toBe(0);
  }, 900_000);
});
