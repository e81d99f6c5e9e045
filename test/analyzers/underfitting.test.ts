import { describe, expect, it } from 'vitest';
import { decay, gradientEpoch, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const ln2 = Math.log(2);

describe('underfitting', () => {
  it.each([
    { name: 'loss falls to 10% of trivial, accuracy 0.95', end: 0.1 * ln2, acc: 0.95, status: 'pass' },
    { name: 'loss stays at 60% of trivial', end: 0.6 * ln2, acc: 0.9, status: 'warn' },
    { name: 'loss stays at the trivial predictor', end: 0.99 * ln2, acc: 0.9, status: 'fail' },
    { name: 'loss lowish but accuracy at chance', end: 0.3 * ln2, acc: 0.52, status: 'fail' },
    { name: 'accuracy 40% of the way from chance', end: 0.3 * ln2, acc: 0.7, status: 'warn' },
  ])('$name -> $status', ({ end, acc, status }) => {
    const h = history({ loss: decay(20, ln2, end), accuracy: Array(20).fill(acc) });
    const f = runOne('underfitting', makeArtifacts({ history: h }));
    expect(f.status).toBe(status);
    expect(f.numericValue).toBeCloseTo(end / ln2, 1);
  });

  it('judges a loaded model (no history) by its probe loss', () => {
    const g = gradientEpoch(0, [0.1, 0.1, 0.1]);
    g.loss = 0.69;
    expect(runOne('underfitting', makeArtifacts({ gradients: [g] })).status).toBe('fail');
    g.loss = 0.05;
    expect(runOne('underfitting', makeArtifacts({ gradients: [g] })).status).toBe('pass');
  });

  it('uses label variance as the baseline for regression', () => {
    const data = { ...makeArtifacts().data, task: 'regression' as const, chanceAccuracy: null, trivialLoss: 2 };
    expect(runOne('underfitting', makeArtifacts({ data, history: history({ loss: decay(20, 3, 1.9) }) })).status).toBe('fail');
    expect(runOne('underfitting', makeArtifacts({ data, history: history({ loss: decay(20, 3, 0.2) }) })).status).toBe('pass');
  });
});
