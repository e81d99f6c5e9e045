import { describe, expect, it } from 'vitest';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts } from '../../src/artifacts/schema.js';
import { summarizeTargets } from '../../src/gather/reference/target-summary.js';

const N = 120;
/** Encoded target matrices of each kind, as the loss sees them. */
const TARGETS = {
  binary: { values: Array.from({ length: N }, (_, i) => i % 2), cols: 1 },
  ids3: { values: Array.from({ length: N }, (_, i) => i % 3), cols: 1 },
  ids10: { values: Array.from({ length: N }, (_, i) => i % 10), cols: 1 },
  onehot3: { values: Array.from({ length: N }, (_, i) => [0, 1, 2].map((k) => (i % 3 === k ? 1 : 0))).flat(), cols: 3 },
  onehot10: {
    values: Array.from({ length: N }, (_, i) => Array.from({ length: 10 }, (_, k) => (i % 10 === k ? 1 : 0))).flat(),
    cols: 10,
  },
  multihot3: { values: Array.from({ length: N }, (_, i) => [i % 2, (i >> 1) % 2, 1]).flat(), cols: 3 },
  real: { values: Array.from({ length: N }, (_, i) => Math.sin(i) * 3 + 0.5), cols: 1 },
  realPositive: { values: Array.from({ length: N }, (_, i) => 2 + Math.sin(i)), cols: 1 },
  unitReal: { values: Array.from({ length: N }, (_, i) => 0.5 + 0.4 * Math.sin(i)), cols: 1 },
} as const;
type TargetName = keyof typeof TARGETS;

function setup(act: string, units: number, loss: string, target: TargetName, lossSeries?: number[]): Artifacts {
  const base = makeArtifacts();
  const layers = base.model.layers.map((l, i) =>
    i === 2 ? { ...l, activation: act, units, outputShape: [null, units] } : l,
  );
  const t = TARGETS[target];
  const task =
    target.startsWith('real') || target === 'unitReal' ? ('regression' as const) : ('classification' as const);
  return makeArtifacts({
    model: { ...base.model, layers, loss, outputShape: [null, units] },
    data: { ...base.data, task, targetSummary: summarizeTargets(Float32Array.from(t.values), t.cols, loss) },
    history: lossSeries ? history({ loss: lossSeries }) : null,
  });
}

describe('task-setup', () => {
  it.each([
    // Right setups: pass.
    { act: 'sigmoid', units: 1, loss: 'binaryCrossentropy', target: 'binary', status: 'pass' },
    { act: 'sigmoid', units: 3, loss: 'binaryCrossentropy', target: 'multihot3', status: 'pass' },
    { act: 'softmax', units: 3, loss: 'categoricalCrossentropy', target: 'onehot3', status: 'pass' },
    { act: 'softmax', units: 3, loss: 'sparseCategoricalCrossentropy', target: 'ids3', status: 'pass' },
    { act: 'linear', units: 1, loss: 'meanSquaredError', target: 'real', status: 'pass' },
    { act: 'linear', units: 1, loss: 'meanAbsoluteError', target: 'real', status: 'pass' },
    { act: 'linear', units: 1, loss: 'huber', target: 'real', status: 'pass' },
    { act: 'relu', units: 1, loss: 'meanSquaredError', target: 'realPositive', status: 'pass' },
    { act: 'sigmoid', units: 1, loss: 'meanSquaredError', target: 'unitReal', status: 'pass' },
    // Labels that contradict the head or the loss.
    {
      act: 'sigmoid',
      units: 1,
      loss: 'binaryCrossentropy',
      target: 'ids3',
      status: 'fail',
      match: /targets in \[0, 1\].*class ids of 3 classes/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'binaryCrossentropy',
      target: 'onehot3',
      status: 'fail',
      match: /independent yes\/no/,
    },
    {
      act: 'softmax',
      units: 2,
      loss: 'binaryCrossentropy',
      target: 'binary',
      status: 'fail',
      match: /1 target column for 2 output units/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'categoricalCrossentropy',
      target: 'ids3',
      status: 'fail',
      match: /integer class ids/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'categoricalCrossentropy',
      target: 'multihot3',
      status: 'fail',
      match: /multi-hot/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'categoricalCrossentropy',
      target: 'real',
      status: 'fail',
      match: /class-probability rows/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'sparseCategoricalCrossentropy',
      target: 'real',
      status: 'fail',
      match: /non-integer/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'sparseCategoricalCrossentropy',
      target: 'onehot3',
      status: 'fail',
      match: /3-column targets/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'sparseCategoricalCrossentropy',
      target: 'ids10',
      status: 'fail',
      match: /class ids 0\.\.9 but the softmax has 3 units/,
    },
    // Losses that do not fit the task (the XOR with MAE; MSE on one-hot; softmax(2) + MSE).
    {
      act: 'sigmoid',
      units: 1,
      loss: 'meanAbsoluteError',
      target: 'binary',
      status: 'fail',
      match: /meanAbsoluteError on class labels/,
    },
    {
      act: 'linear',
      units: 10,
      loss: 'meanSquaredError',
      target: 'onehot10',
      status: 'fail',
      match: /meanSquaredError on class labels \(one-hot\)/,
    },
    {
      act: 'softmax',
      units: 3,
      loss: 'meanSquaredError',
      target: 'onehot3',
      status: 'fail',
      match: /meanSquaredError on class labels/,
    },
    // Heads that cannot produce what the loss or the targets need.
    {
      act: 'softmax',
      units: 1,
      loss: 'binaryCrossentropy',
      target: 'binary',
      status: 'fail',
      match: /softmax over one unit/,
    },
    {
      act: 'relu',
      units: 1,
      loss: 'binaryCrossentropy',
      target: 'binary',
      status: 'fail',
      match: /needs probabilities/,
    },
    {
      act: 'linear',
      units: 3,
      loss: 'categoricalCrossentropy',
      target: 'onehot3',
      status: 'fail',
      match: /needs probabilities/,
    },
    {
      act: 'sigmoid',
      units: 3,
      loss: 'categoricalCrossentropy',
      target: 'onehot3',
      status: 'fail',
      match: /not a distribution/,
    },
    {
      act: 'relu',
      units: 1,
      loss: 'meanSquaredError',
      target: 'real',
      status: 'fail',
      match: /relu output can only produce \[0, Infinity\]/,
    },
    {
      act: 'sigmoid',
      units: 1,
      loss: 'meanSquaredError',
      target: 'real',
      status: 'fail',
      match: /sigmoid output can only produce \[0, 1\]/,
    },
    { act: 'tanh', units: 1, loss: 'meanAbsoluteError', target: 'realPositive', status: 'fail', match: /tanh output/ },
    {
      act: 'softmax',
      units: 1,
      loss: 'meanSquaredError',
      target: 'real',
      status: 'fail',
      match: /softmax output for regression/,
    },
  ] as Array<{ act: string; units: number; loss: string; target: TargetName; status: string; match?: RegExp }>)(
    '$act x$units, $loss, $target targets -> $status',
    ({ act, units, loss, target, status, match }) => {
      const f = runOne('task-setup', setup(act, units, loss, target));
      expect(f.status, f.displayValue).toBe(status);
      if (match) expect(f.displayValue).toMatch(match);
      const table = f.evidence[0]!;
      expect(table.kind).toBe('table');
      if (table.kind === 'table') {
        expect(table.rows.map((r) => r['aspect'])).toEqual(['loss', 'output head', 'targets', 'constant predictor']);
        expect(table.highlight.length > 0).toBe(status === 'fail');
      }
    },
  );

  it('fails on a negative cross-entropy by itself, even without a target summary (old artifacts)', () => {
    const a = setup('sigmoid', 1, 'binaryCrossentropy', 'binary', decay(20, 0.7, -1.11));
    const old = makeArtifacts({ model: a.model, history: a.history });
    const f = runOne('task-setup', old);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/went negative \(-1\.\d/);
    // A regression loss can be anything >= 0; a negative cross-entropy is the symptom here, not the loss value.
    expect(runOne('task-setup', setup('sigmoid', 1, 'binaryCrossentropy', 'binary', decay(20, 0.7, 0.05))).status).toBe(
      'pass',
    );
  });

  it("the issue's case: class ids {0,1,2} into one sigmoid with binaryCrossentropy, trained to -1.11", () => {
    const a = setup('sigmoid', 1, 'binaryCrossentropy', 'ids3', decay(20, 0.7, -1.11));
    const ts = runOne('task-setup', a);
    expect(ts.status).toBe('fail');
    expect(ts.recommendation).toMatch(/softmax over 3 units with sparseCategoricalCrossentropy/);
    // Underfitting no longer reads a negative ratio as "-102% of a constant predictor's": it defers, citing task-setup.
    const uf = runOne('underfitting', a);
    expect(uf.status).toBe('notApplicable');
    expect(uf.displayValue).toMatch(/see task-setup/);
  });
});
