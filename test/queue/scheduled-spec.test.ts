import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { workerPolicy } from '../../src/policy/input-policy.js';
import { readSpecFile } from '../../src/queue/processors/audit-job.js';
import { ROOT } from '../helpers/cli.js';

/** A schedule's run reads its spec file as it is at that run, under the worker's input policy (no Redis needed). */
const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'nnaudit-sched-spec-')));
const file = path.join(dir, 'nightly.json');
const policy = workerPolicy({ NNAUDIT_DATA_DIRS: dir }, dir);
const fixture = (name: string) => readFileSync(path.join(ROOT, 'fixtures/specs', `${name}.json`), 'utf8');

describe('a scheduled run reads its spec file again', () => {
  it('follows the file: an edit between two runs is what the second run audits', () => {
    writeFileSync(file, fixture('healthy'));
    const first = readSpecFile(file, policy);
    writeFileSync(file, fixture('dead-relu'));
    const second = readSpecFile(file, policy);
    expect(JSON.stringify(first.model)).not.toContain('"value":-8');
    expect(JSON.stringify(second.model)).toContain('"value":-8');
  });

  it.each([
    [
      'outside NNAUDIT_DATA_DIRS',
      () => readSpecFile(file, workerPolicy({ NNAUDIT_DATA_DIRS: ROOT }, ROOT)),
      /outside|not allowed|NNAUDIT_DATA_DIRS/,
    ],
    ['gone', () => readSpecFile(path.join(dir, 'removed.json'), policy), /not found/],
    [
      'broken JSON, quoted nowhere',
      () => {
        writeFileSync(file, '{"name": "SECRET-TOKEN-1234" oops');
        return readSpecFile(file, policy);
      },
      /not valid JSON/,
    ],
  ])('a spec file %s fails the run, not retried', (_case, run, message) => {
    let err: unknown;
    try {
      run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('SECRET');
  });
});
