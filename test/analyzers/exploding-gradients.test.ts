import { describe, expect, it } from 'vitest';
import { gradientEpoch, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

describe('exploding-gradients', () => {
  it.each([
    {
      name: 'bounded',
      epochs: [
        [0.5, 0.4, 0.3],
        [0.4, 0.3, 0.3],
      ],
      status: 'pass',
    },
    {
      name: 'first/last ratio 100 (> 70)',
      epochs: [
        [30, 1, 0.3],
        [30, 1, 0.3],
      ],
      status: 'warn',
    },
    { name: 'norm 2e6 (> 1e6)', epochs: [[2e6, 1, 0.3]], status: 'fail' },
    {
      name: 'doubling for 3 epochs',
      epochs: [
        [0.1, 0.1, 0.1],
        [0.2, 0.2, 0.2],
        [0.5, 0.5, 0.5],
        [1.2, 1.2, 1.2],
      ],
      status: 'fail',
    },
    {
      name: 'doubling for only 2 epochs',
      epochs: [
        [0.1, 0.1, 0.1],
        [0.2, 0.2, 0.2],
        [0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5],
      ],
      status: 'pass',
    },
  ])('$name -> $status', ({ epochs, status }) => {
    const a = makeArtifacts({ gradients: epochs.map((n, i) => gradientEpoch(i, n)) });
    expect(runOne('exploding-gradients', a).status).toBe(status);
  });

  it('fails on non-finite gradients and suggests standardizing wide-ranging inputs', () => {
    const a = makeArtifacts({
      gradients: [gradientEpoch(0, [0.5, 0.5, 0.5], { nonFinite: 4 })],
      data: { ...makeArtifacts().data, normalize: 'none', featureRange: { min: -300, max: 900, meanAbs: 200 } },
    });
    const f = runOne('exploding-gradients', a);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/12 non-finite/);
    expect(f.recommendation).toMatch(/standardize/);
  });

  it('ignores a huge output gradient (d loss / d probability of a confident miss)', () => {
    const g = gradientEpoch(0, [0.5, 0.5, 0.5]);
    g.layers[2]!.outputNorm = 1e7;
    expect(runOne('exploding-gradients', makeArtifacts({ gradients: [g] })).status).toBe('pass');
  });

  it('a maxNorm override changes the verdict', () => {
    const a = makeArtifacts({ gradients: [gradientEpoch(0, [500, 400, 300])] });
    expect(runOne('exploding-gradients', a).status).toBe('pass');
    expect(runOne('exploding-gradients', a, { maxNorm: 100 }).status).toBe('fail');
  });
});
