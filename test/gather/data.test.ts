import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv, readJsonArrays } from '../../src/gather/data/read-tabular.js';
import { generate } from '../../src/gather/data/generators.js';
import { GENERATORS } from '../../src/config/spec-schema.js';
import { readHistoryFile } from '../../src/artifacts/read-history.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-data-'));
const file = (name: string, text: string) => { const f = path.join(tmp, name); writeFileSync(f, text); return f; };

describe('CSV and JSON data', () => {
  it('reads features and class labels, string labels included', () => {
    const d = readCsv(file('ok.csv', 'a,b,species\n1,2,cat\n3,4,dog\n5,6,cat\n'), 'species', undefined, undefined);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(d).toMatchObject({ task: 'classification', numClasses: 2, featureNames: ['a', 'b'] });
  });

  it.each([
    ['NaN in a feature', 'a,b,y\n1,2,0\nNaN,4,1\n', /:3: column "a" is "NaN", expected a finite number/],
    ['an empty cell', 'a,b,y\n1,,0\n', /:2: column "b" is "", expected a finite number/],
    ['a missing label column', 'a,b,c\n1,2,0\n', /no label column "y"; columns are: a, b, c/],
    ['a ragged row', 'a,b,y\n1,2,0\n1,2\n', /not a valid CSV/],
  ])('rejects %s, naming the line and column', (_n, text, message) => {
    expect(() => readCsv(file(`bad${Math.random()}.csv`, text), 'y', undefined, undefined)).toThrow(message);
  });

  it('rejects JSON rows of unequal width and non-numbers', () => {
    expect(() => readJsonArrays({ x: [[1, 2], [3]], y: [0, 1] }, undefined)).toThrow(/x\[1\] has 1 values, expected 2/);
    expect(() => readJsonArrays(file('n.json', '{"x": [[1, null]], "y": [0]}'), undefined)).toThrow(/x\[0\]\[1\] is null/);
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
