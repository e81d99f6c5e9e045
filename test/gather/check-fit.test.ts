import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTargetsFit, fitFeatureShape, inputMismatch, type ModelEnds } from '../../src/gather/model/check-fit.js';
import type { Dataset } from '../../src/gather/data/dataset.js';
import { chanceAccuracy, trivialLoss } from '../../src/gather/reference/targets.js';
import { DataError } from '../../src/errors.js';
import { runCli, STACK_LINE } from '../helpers/cli.js';

const base = { x: new Float32Array(0), featureShape: [2], featureNames: [], source: 'data.csv' };
const classes = (ids: number[], numClasses = Math.max(...ids) + 1): Dataset => ({
  ...base,
  y: Float32Array.from(ids),
  task: 'classification',
  numClasses,
});
const targets = (k: number, rows = 3): Dataset => ({
  ...base,
  y: new Float32Array(rows * k).map((_, i) => i * 0.5),
  yWidth: k > 1 ? k : undefined,
  task: 'regression',
  numClasses: 0,
});
const multiLabel: Dataset = {
  ...base,
  y: Float32Array.from([1, 0, 1, 1, 0, 0]),
  yWidth: 3,
  multiLabel: true,
  task: 'classification',
  numClasses: 3,
};
const ends = (outputUnits: number, loss: ModelEnds['loss'], outputActivation: string | null = null): ModelEnds => ({
  inputShape: [2],
  outputUnits,
  outputActivation,
  loss,
});

describe('checks before training: targets vs the model output and loss', () => {
  it.each<[string, Dataset, ModelEnds, RegExp]>([
    [
      '1 target vs 30 units',
      targets(1),
      ends(30, 'meanSquaredError'),
      /1 target per row but the model outputs 30 values: give 30 label columns/,
    ],
    [
      '30 targets vs 1 unit',
      targets(30),
      ends(1, 'meanSquaredError'),
      /30 targets per row but the model outputs 1 value: or use a model with 30 output units/,
    ],
    [
      '3 classes vs 1 sigmoid unit',
      classes([0, 1, 2]),
      ends(1, 'binaryCrossentropy', 'sigmoid'),
      /3 classes \(ids up to 2\) but binaryCrossentropy with 1 output unit needs 0\/1 labels: use 3 softmax units with categoricalCrossentropy/,
    ],
    [
      '10 classes vs 2 softmax units',
      classes([0, 9, 4]),
      ends(2, 'categoricalCrossentropy', 'softmax'),
      /10 classes \(ids up to 9\) but the model's last layer has 2 units: use 10 softmax units/,
    ],
    [
      '1000 string classes vs 3 softmax units',
      classes([0, 999], 1000),
      ends(3, 'sparseCategoricalCrossentropy', 'softmax'),
      /1000 classes .* 3 units/,
    ],
    [
      'non-integers with sparse categorical',
      targets(1),
      ends(1, 'sparseCategoricalCrossentropy'),
      /not class ids .* but the loss is sparseCategoricalCrossentropy/,
    ],
    [
      'a multi-label target with softmax',
      multiLabel,
      ends(3, 'binaryCrossentropy', 'softmax'),
      /multi-label target .* with a softmax output: .*use 3 sigmoid units with binaryCrossentropy/,
    ],
    [
      'a multi-label target vs 2 units',
      multiLabel,
      ends(2, 'binaryCrossentropy', 'sigmoid'),
      /3 labels per row \(multi-label\) but the model has 2 output units/,
    ],
    [
      'targets outside [0, 1] with binaryCrossentropy',
      targets(1, 4),
      ends(1, 'binaryCrossentropy', 'sigmoid'),
      /binaryCrossentropy needs targets in \[0, 1\], but they range 0..1.5/,
    ],
  ])('refuses %s, naming both sides', (_name, d, m, message) => {
    expect(() => checkTargetsFit(d, m)).toThrow(message);
    expect(() => checkTargetsFit(d, m)).toThrow(DataError);
  });

  it.each<[string, Dataset, ModelEnds]>([
    ['2 classes, 1 sigmoid unit', classes([0, 1, 1]), ends(1, 'binaryCrossentropy', 'sigmoid')],
    ['3 classes, 3 softmax units', classes([0, 1, 2]), ends(3, 'categoricalCrossentropy', 'softmax')],
    [
      'classes absent from a sample, 10 units',
      classes([0, 3], 4),
      ends(10, 'sparseCategoricalCrossentropy', 'softmax'),
    ],
    ['30 targets, 30 linear units', targets(30), ends(30, 'meanSquaredError', 'linear')],
    ['3 labels, 3 sigmoid units', multiLabel, ends(3, 'binaryCrossentropy', 'sigmoid')],
    // The shapes agree: a softmax over 1 unit is a model bug that must be audited (output-activation names it
    // with evidence, as on the StackOverflow 31880720 checkpoint), not refused before the run.
    ['2 classes, 1 softmax unit', classes([0, 1]), ends(1, 'binaryCrossentropy', 'softmax')],
  ])('accepts %s', (_name, d, m) => {
    expect(() => checkTargetsFit(d, m)).not.toThrow();
  });

  it('handles 200,000 rows without spreading them into Math.max', () => {
    const ids = new Float32Array(200_000).map((_, i) => i % 7);
    const d: Dataset = { ...base, y: ids, task: 'classification', numClasses: 7 };
    expect(() => checkTargetsFit(d, ends(3, 'categoricalCrossentropy', 'softmax'))).toThrow(/7 classes/);
    expect(chanceAccuracy(d)).toBeCloseTo(1 / 7, 3);
  });

  it('constant-predictor loss and chance for several targets and multi-label data', () => {
    const two: Dataset = {
      ...base,
      y: Float32Array.from([0, 10, 2, 10, 0, 40, 2, 40]),
      yWidth: 2,
      task: 'regression',
      numClasses: 0,
    };
    // column 1: values 0, 2, 0, 2 -> variance 1; column 2: 10, 10, 40, 40 -> variance 225
    expect(trivialLoss(two, 'meanSquaredError', 2)).toBeCloseTo((1 + 225) / 2, 5);
    // labels: [1,0,1], [1,0,0] -> per-label p = 1, 0, 0.5 -> chance = (1 + 1 + 0.5) / 3
    expect(chanceAccuracy(multiLabel)).toBeCloseTo(2.5 / 3, 5);
    expect(trivialLoss(multiLabel, 'binaryCrossentropy', 3)).toBeCloseTo(Math.log(2) / 3, 5);
  });
});

describe('input shape', () => {
  it.each<[number[], Array<number | null>, number[] | null]>([
    [
      [28, 28],
      [28, 28, 1],
      [28, 28, 1],
    ],
    [
      [28, 28, 1],
      [null, null, 1],
      [28, 28, 1],
    ],
    [[784], [28, 28, 1], null], // flat rows into images need data.shape: the layout is the user's to say
    [[28, 28], [784], [784]], // IDX/PNG images into an MLP: flattened in C order, as reshape(n, -1) does
    [[28, 28, 1], [784], [784]],
    [[28, 28], [783], null],
    [[28, 28], [null], null],
    [[13], [12], null],
  ])('data %j vs model %j -> %j', (data, model, expected) => {
    expect(fitFeatureShape(data, model)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['/d/faces.csv', /choose the matching feature columns \(--features/],
    ['csv:/d/faces.csv', /choose the matching feature columns/],
    [
      '/d/x.npy',
      /give data whose samples have the model's input shape \[28, 28, 1\], or use a model built for this data/,
    ],
    ['npy:/d/x.npy', /give data whose samples have the model's input shape/],
  ])('a [2] sample from %s into [28, 28, 1]: column advice only for tables', (where, hint) => {
    expect(inputMismatch([2], [28, 28, 1], where).message).toMatch(hint);
  });

  it('channels-last images for a channels-first (PyTorch) model, and the reverse, say which transpose fixes them', () => {
    expect(inputMismatch([96, 96, 3], [3, 96, 96], '/d/x.npy').message).toMatch(
      /each sample has shape \[96, 96, 3\], but the model's input expects \[3, 96, 96\]: the model takes channels-first .* x\.transpose\(0, 3, 1, 2\)/,
    );
    expect(inputMismatch([3, 32, 32], [32, 32, 3], '/d/x.npy').message).toMatch(
      /channels-last .* x\.transpose\(0, 2, 3, 1\)/,
    );
  });
});

describe('the CLI exits 2 (bad input), not 1, on labels that cannot fit', () => {
  it('a 1000-class string label into 3 softmax units', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-checkfit-'));
    const rows = Array.from({ length: 2000 }, (_, i) => `${i % 13},${(i * 7) % 5},item-${i % 1000}`);
    writeFileSync(path.join(dir, 'd.csv'), `a,b,name\n${rows.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'spec.json'),
      JSON.stringify({
        model: {
          train: {
            layers: [{ type: 'dense', units: 3, activation: 'softmax' }],
            loss: 'categoricalCrossentropy',
            epochs: 1,
          },
        },
        data: { csv: 'd.csv', label: 'name' },
      }),
    );
    const r = await runCli(['audit', path.join(dir, 'spec.json'), '-q', '--out', path.join(dir, 'out')]);
    expect(r.stderr).toMatch(
      /1000 classes \(ids up to 999\) but the model's last layer has 3 units: use 1000 softmax units/,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
  }, 120_000);
});
