import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { runCli, STACK_LINE } from '../helpers/cli.js';
import { ALL_CASES } from './bad-input-cases.js';
import { runInProcess } from './bad-input-run.js';

/** Files that look like an audit's output: none may appear for bad input. */
const RESULT_LIKE = /^(result\.json|report\.html|report\.pdf|artifacts\.json|junit.*\.xml)$/;
function resultLikeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && RESULT_LIKE.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-bad-table-'));

describe(`bad input table (${ALL_CASES.length} cases): exit 2, a message naming the field or file, no stack, nothing written`, () => {
  beforeAll(async () => { await selectBackend('cpu'); }, 60_000);
  it('holds at least 120 cases', () => expect(ALL_CASES.length).toBeGreaterThanOrEqual(120));
  it.each(ALL_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const dir = path.join(tmp, `case-${i}`);
    mkdirSync(dir);
    const r = c.child ? await runCli(c.args(dir), { env: c.env ?? {} }) : await runInProcess(c.args(dir), { NNAUDIT_BACKEND: 'cpu', ...c.env });
    if (process.env['NNAUDIT_SHOW_MESSAGES']) process.stdout.write(`${c.name}\n  ${r.stderr.trim().replace(/\n/g, '\n  ')}\n`);
    expect(r.stderr).toMatch(c.expect);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toMatch(/UNCAUGHT|HDF5-DIAG/);
    expect(resultLikeFiles(dir)).toEqual([]);
  }, 60_000);
});
