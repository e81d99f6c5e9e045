import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/config/load-spec.js';
import type { DataSpec } from '../../src/config/spec-schema.js';
import { encodeCategoricals } from '../../src/gather/data/categorical.js';
import { takeRows } from '../../src/gather/data/dataset.js';
import { openDataset } from '../../src/gather/data/prepare.js';
import { obtainModel } from '../../src/gather/model/obtain-model.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { runWithPolicy, workerPolicy, type InputPolicy } from '../../src/policy/input-policy.js';
import { summaryText } from '../../src/report/summary-text.js';
import { escapeControl } from '../../src/util/terminal-text.js';
import { sampleResult } from '../helpers/results.js';
import { ROOT } from '../helpers/cli.js';

/**
 * Issue 24, "say nothing of the file": under a worker (where a failure reason reaches `status`, `jobs`, emails and
 * the history) a message about a bad input gives field names, shapes, sizes and counts, never bytes from inside
 * the file. Each secret is lowercase letters, which the queue's last-resort scrubber lets through as English.
 */
const SECRET = 'zqxplantedword';
let root: string;
let policy: InputPolicy;
const put = (name: string, content: string | Uint8Array) => {
  const f = path.join(root, name);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, content);
  return f;
};
const npy = (header: string, dataBytes: number) => {
  let h = header;
  while ((10 + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  return Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]),
    Buffer.from(h, 'latin1'),
    Buffer.alloc(dataBytes),
  ]);
};
const dataSpec = (data: unknown): DataSpec =>
  validateSpec({ model: { train: { layers: [{ type: 'dense', units: 2 }], loss: 'meanSquaredError' } }, data }).data;
const openUnder = (data: unknown) =>
  runWithPolicy(policy, () =>
    openDataset(dataSpec(data), { baseDir: root, seed: 1, inputShape: null, checkShape: () => undefined }),
  );
async function message(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, got success');
}

beforeAll(async () => {
  await selectBackend('cpu');
  root = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-no-echo-'));
  policy = workerPolicy({ NNAUDIT_DATA_DIRS: root }, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('under a worker, bad-input messages describe the file without quoting it', () => {
  it.each([
    [
      'an unreadable .npy header',
      () =>
        openUnder({
          npy: {
            x: put('h.npy', npy(`{'${SECRET}': 1}`, 0)),
            y: put('y.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4)),
          },
        }),
      /unreadable \.npy header/,
    ],
    [
      'an .npy dtype',
      () =>
        openUnder({
          npy: {
            x: put('d.npy', npy(`{'descr': '<${SECRET}', 'fortran_order': False, 'shape': (1,), }`, 4)),
            y: put('y.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4)),
          },
        }),
      /dtype \(\d+ characters\) is not a supported one/,
    ],
    [
      '.npz member names',
      () =>
        openUnder({
          npz: put(
            'm.npz',
            zipSync({ [`${SECRET}.npy`]: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4) }),
          ),
        }),
      /it holds 1 arrays \(names not shown\)/,
    ],
    [
      'class folder names',
      () => {
        mkdirSync(path.join(root, 'img', SECRET), { recursive: true });
        return openUnder({ images: path.join(root, 'img'), classes: ['cat'] });
      },
      /data\.classes names .*folders are: \(\d+ characters, not shown\)/,
    ],
    [
      'a model.json loss name',
      async () => {
        const dir = path.join(root, 'wine');
        cpSync(path.join(ROOT, 'fixtures/models/wine-mlp'), dir, { recursive: true });
        const j = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
          trainingConfig: { loss: string };
        };
        j.trainingConfig.loss = SECRET;
        writeFileSync(path.join(dir, 'model.json'), JSON.stringify(j));
        const spec = validateSpec({
          model: { load: { path: path.join(dir, 'model.json') } },
          data: { generator: 'moons' },
        });
        return runWithPolicy(policy, () => obtainModel(spec, [13], root));
      },
      /its loss \(\d+ characters, not shown\) is not one nnaudit knows/,
    ],
  ])('%s', async (_name, fn, expected) => {
    const m = await message(fn as () => Promise<unknown>);
    expect(m).toMatch(expected);
    expect(m).not.toContain(SECRET);
    expect(m.length).toBeLessThan(500);
  });

  it('a CSV category value seen only in validation rows', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => `${i},red,${i % 2}`);
    const raw = await openUnder({
      csv: put('c.csv', `n,colour,y\n${[...rows, `9,${SECRET},1`].join('\n')}\n`),
      label: 'y',
      categorical: ['colour'],
    });
    const m = await message(async () =>
      runWithPolicy(policy, () => encodeCategoricals(takeRows(raw, [0, 1, 2, 3, 4, 5, 6, 7, 8]), takeRows(raw, [9]))),
    );
    expect(m).toMatch(/has the category \(\d+ characters, not shown\) in the validation rows/);
    expect(m).not.toContain(SECRET);
  });
});

describe('on the CLI, a quoted value is shortened and a CSV BOM is not part of a column name', () => {
  it('a BOM before the header is dropped: the first column is "label", not "\\ufefflabel"', async () => {
    put('bom.csv', '\ufefflabel,a\n0,1\n1,2\n');
    const ok = await openDataset(dataSpec({ csv: path.join(root, 'bom.csv'), label: 'label' }), {
      baseDir: root,
      seed: 1,
      inputShape: null,
      checkShape: () => undefined,
    });
    expect(ok.featureNames).toEqual(['a']);
  });
});

describe('control characters in user strings are escaped where they are printed', () => {
  it.each([
    ['ANSI colour', 'a\u001b[31mred', 'a\\u001b[31mred'],
    ['newline and carriage return', 'x\ny\rz', 'x\\u000ay\\u000dz'],
    ['a bidi override', 'abc\u202edef', 'abc\\u202edef'],
    ['plain text', 'plain name-1 (ok)', 'plain name-1 (ok)'],
  ])('%s', (_name, raw, shown) => expect(escapeControl(raw)).toBe(shown));

  it('the terminal summary prints a spec name with ANSI escapes and newlines as one escaped line', () => {
    const r = sampleResult('breast-cancer');
    const text = summaryText({ ...r, model: { ...r.model, name: 'evil\u001b[2J\nforged line' } });
    expect(text.split('\n')[0]).toContain('evil\\u001b[2J\\u000aforged line');
    expect(text).not.toMatch(/\u001b/);
  });
});
