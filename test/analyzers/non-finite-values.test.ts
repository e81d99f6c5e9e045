import { describe, expect, it } from 'vitest';
import { activationLayer, gradientEpoch, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const weights = (nonFinite: number) => [
  {
    epoch: 0,
    weights: [
      {
        layer: 'dense_1',
        weight: 'kernel',
        shape: [2, 4],
        histogram: null,
        updateRatio: null,
        stats: { count: 8, mean: 0, std: 1, min: -1, max: 1, nonFinite },
      },
    ],
  },
];

describe('non-finite-values', () => {
  it.each([
    {
      name: 'all finite',
      over: { weights: weights(0), gradients: [gradientEpoch(0, [1, 1, 1])] },
      status: 'pass',
      count: 0,
    },
    {
      name: 'NaN weights',
      over: { weights: weights(3), gradients: [gradientEpoch(0, [1, 1, 1])] },
      status: 'fail',
      count: 3,
    },
    {
      name: 'NaN gradients',
      over: { weights: weights(0), gradients: [gradientEpoch(2, [1, 1, 1], { nonFinite: 1 })] },
      status: 'fail',
      count: 3,
    },
    {
      name: 'NaN loss in history',
      over: { weights: weights(0), gradients: [gradientEpoch(0, [1, 1, 1])], history: history({ loss: [1, 2, NaN] }) },
      status: 'fail',
      count: 0,
    },
    {
      name: 'Infinite activations',
      over: {
        weights: weights(0),
        gradients: [gradientEpoch(0, [1, 1, 1])],
        activations: [{ epoch: 0, layers: [activationLayer('dense_1', 'relu', [0.5], null, 7)] }],
      },
      status: 'fail',
      count: 7,
    },
  ])('$name -> $status', ({ over, status, count }) => {
    const a = makeArtifacts(over);
    // JSON has no NaN: artifacts carry non-finite history values as null.
    if (a.history)
      a.history.series['loss'] = a.history.series['loss']!.map((v) => (v !== null && Number.isFinite(v) ? v : null));
    const f = runOne('non-finite-values', a);
    expect(f.status).toBe(status);
    if (count) expect(f.numericValue).toBe(count);
  });
});
