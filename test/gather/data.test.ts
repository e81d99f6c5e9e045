import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset } from '../../src/gather/data/prepare.js';
import { dataSchema } from '../../src/config/spec-schema.js';
import { generate } from '../../src/gather/data/generators.js';
import { GENERATORS } from '../../src/config/spec-schema.js';
import { readHistoryFile } from '../../src/artifacts/read-history.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-data-'));
const file = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
/** Reads a data spec the way gather does (the async sources behind openDataset). */
const open = (input: Record<string, unknown>) =>
  openDataset(dataSchema.parse(input), { baseDir: tmp, seed: 1, inputShape: null, checkShape: () => undefined });

describe('CSV and JSON data', () => {
  it('reads features and class labels, string labels included', async () => {
    const d = await open({ csv: file('ok.csv', 'a,b,species\n1,2,cat\n3,4,dog\n5,6,cat\n'), label: 'species' });
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(d).toMatchObject({ task: 'classification', numClasses: 2, featureNames: ['a', 'b'] });
  });

  it.each([
    ['NaN in a feature', 'a,b,y\n1,2,0\nNaN,4,1\n', /:3: column "a" is "NaN", expected a finite number/],
    ['an empty cell', 'a,b,y\n1,,0\n', /:2: column "b" is "", expected a finite number/],
    ['a missing label column', 'a,b,c\n1,2,0\n', /no label column "y"; columns are: a, b, c/],
    ['a ragged row', 'a,b,y\n1,2,0\n1,2\n', /not a valid CSV/],
  ])('rejects %s, naming the line and column', async (_n, text, message) => {
    await expect(open({ csv: file(`bad${Math.random()}.csv`, text), label: 'y' })).rejects.toThrow(message);
  });

  it('reads JSON {x, y} rows, and rejects rows of unequal width and non-numbers', async () => {
    const d = await open({ json: file('ok.json', '{"x": [[1, 2], [3, 4]], "y": [1, 0]}') });
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(d.y)).toEqual([1, 0]);
    await expect(open({ json: { x: [[1, 2], [3]], y: [0, 1] } })).rejects.toThrow(/x\[1\] has 1 values, expected 2/);
    await expect(open({ json: file('n.json', '{"x": [[1, null]], "y": [0]}') })).rejects.toThrow(/x\[0\]\[1\] is null/);
  });
});

describe('generators', () => {
  it.each(GENERATORS.filter((g) => g !== 'iris'))('%s is seeded: same seed, same data; other seed, other data', (g) => {
    const opts = { samples: 50, noise: 0.1, classes: 3, imageSize: 6, seed: 1 };
    expect(Array.from(generate(g, opts).x)).toEqual(Array.from(generate(g, opts).x));
    expect(Array.from(generate(g, opts).x)).not.toEqual(Array.from(generate(g, { ...opts, seed: 2 }).x));
  });

  it('iris is the real 150-flower set', () => {
    const d = generate('iris', { samples: 0, noise: 0, classes: 3, imageSize: 0, seed: 1 });
    expect(d.y.length).toBe(150);
    expect(d.numClasses).toBe(3);
  });
});

describe('history files', () => {
  it('reads a Keras history dict and a CSVLogger file', () => {
    const j = readHistoryFile(file('h.json', '{"loss": [1, 0.5], "val_loss": [1.1, 0.7], "acc": [0.5, 0.8]}'));
    expect(j).toEqual({ epochs: [1, 2], series: { loss: [1, 0.5], val_loss: [1.1, 0.7], accuracy: [0.5, 0.8] } });
    const c = readHistoryFile(file('h.csv', 'epoch,accuracy,loss,val_loss\n0,0.5,1,1.1\n1,0.8,0.5,nan\n'));
    expect(c).toEqual({ epochs: [1, 2], series: { accuracy: [0.5, 0.8], loss: [1, 0.5], val_loss: [1.1, null] } });
    expect(() => readHistoryFile(file('h2.json', '{"acc": [1]}'))).toThrow(/no "loss" series/);
  });
});
