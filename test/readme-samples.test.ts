import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mask, splice } from '../scripts/readme-samples.js';
import { ROOT } from './helpers/cli.js';

describe('README samples', () => {
  it('splice replaces exactly the marked block, and mask hides only times and the backend', () => {
    const readme = 'intro\n<!-- sample:x -->\n```\nold\n```\n<!-- /sample:x -->\nrest\n';
    expect(splice(readme, { x: 'new output\n' })).toBe('intro\n<!-- sample:x -->\n```\nnew output\n```\n<!-- /sample:x -->\nrest\n');
    expect(() => splice(readme, { y: 'z' })).toThrow(/no <!-- sample:y -->/);
    expect(mask('nnaudit iris (trained, wasm backend, 1.1 s): PASS\nhealthy  PASS  pass   1.3s'))
      .toBe('nnaudit iris (trained, <backend>, <time>): PASS\nhealthy  PASS  pass <time>');
    expect(mask('FAIL dead-relu 100% dead')).toBe('FAIL dead-relu 100% dead');
  });

  // Runs the real commands (the demo trains every fixture): full tier.
  it('README.md shows what the commands print today (npm run readme:samples rewrites it)', async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'dist/scripts/readme-samples.js'), '--check'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` });
      });
    });
    expect(r.out).toMatch(/up to date/);
    expect(r.code).toBe(0);
  }, 900_000);
});
