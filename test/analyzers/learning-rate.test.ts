import { describe, expect, it } from 'vitest';
import { makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const withRatios = (ratios: Array<number | null>) =>
  makeArtifacts({
    weights: [
      {
        epoch: 0,
        weights: ratios.map((r, i) => ({
          layer: `dense_${i + 1}`,
          weight: 'kernel',
          shape: [4, 4],
          histogram: null,
          updateRatio: r,
          stats: { count: 16, mean: 0, std: 1, min: -1, max: 1, nonFinite: 0 },
        })),
      },
    ],
  });

describe('learning-rate', () => {
  it.each([
    { name: 'about 1e-3 per step', ratios: [1e-3, 2e-3, 5e-4], status: 'pass', advice: null },
    {
      name: 'about 1e-2 per step (Adam 0.01 on small weights)',
      ratios: [1e-2, 2e-2, 1.5e-2],
      status: 'pass',
      advice: null,
    },
    { name: '0.2 per step', ratios: [0.2, 0.15, 0.3], status: 'warn', advice: /Lower the learning rate/ },
    {
      name: 'weights re-drawn each step (ratio 1)',
      ratios: [1, 0.8, 2],
      status: 'fail',
      advice: /Lower the learning rate/,
    },
    { name: '1e-5 per step', ratios: [1e-5, 2e-5, 1e-5], status: 'warn', advice: /Raise the learning rate/ },
    { name: '1e-7 per step (SGD 1e-5)', ratios: [1e-7, 1e-7, 2e-7], status: 'fail', advice: /Raise the learning rate/ },
  ])('$name -> $status', ({ ratios, status, advice }) => {
    const f = runOne('learning-rate', withRatios(ratios));
    expect(f.status).toBe(status);
    if (advice === null) expect(f.recommendation).toBeNull();
    else expect(f.recommendation).toMatch(advice);
  });

  it('is not applicable without measured steps, and says why, citing only causes that hold', () => {
    const loaded = withRatios([null, null]);
    loaded.model.source = 'loaded';
    expect(runOne('learning-rate', loaded).displayValue).toMatch(/a loaded model audited without training/);
    // After a callback fit the model was trained: the reason is the callback, not "a loaded model".
    const callback = withRatios([null, null]);
    callback.model.source = 'callback';
    callback.history = { epochs: [1, 2], series: { loss: [0.6, 0.5] } };
    const f = runOne('learning-rate', callback);
    expect(f.displayValue).toMatch(/not measured in a callback run/);
    expect(f.displayValue).not.toMatch(/loaded/);
    // Kernels that did not move: dead-relu is cited only when it reports dead units (here it has no activations to judge).
    const still = runOne('learning-rate', withRatios([0, 0]));
    expect(still.displayValue).toMatch(/zero gradients/);
    expect(still.displayValue).not.toMatch(/dead-relu/);
  });

  it('steps below the warn level fail when the probe loss did not fall over the run', () => {
    const a = withRatios([1e-5, 2e-5, 1e-5]);
    const probe = (epoch: number, loss: number) => ({ epoch, loss, layers: [] });
    a.gradients = [probe(0, 0.69), probe(20, 0.68)];
    const f = runOne('learning-rate', a);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/fell by only 1\.\d%/);
    a.gradients = [probe(0, 0.69), probe(20, 0.2)];
    expect(runOne('learning-rate', a).status).toBe('warn');
  });
});
