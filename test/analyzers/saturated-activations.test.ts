import { describe, expect, it } from 'vitest';
import { activationLayer, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const withHidden = (act: string, saturated: number[]) =>
  makeArtifacts({
    activations: [
      {
        epoch: 3,
        layers: [
          activationLayer(
            'dense_1',
            act,
            saturated.map(() => 0.5),
            saturated,
          ),
          activationLayer('dense_2', act, [0.5, 0.5], [0, 0]),
          activationLayer('dense_3', 'sigmoid', [0], [1]),
        ],
      },
    ],
  });

describe('saturated-activations', () => {
  it.each([
    { name: 'no unit saturated', sat: [0, 0.1, 0.2, 0.3], status: 'pass' },
    { name: 'exactly half of the values is not "more than half"', sat: [0.5, 0.5, 0.5, 0.5], status: 'pass' },
    { name: 'one of four units saturated', sat: [0.9, 0.1, 0.2, 0.3], status: 'warn' },
    { name: 'three of four units saturated', sat: [0.9, 0.8, 0.6, 0.3], status: 'fail' },
  ])('tanh: $name -> $status', ({ sat, status }) => {
    expect(runOne('saturated-activations', withHidden('tanh', sat)).status).toBe(status);
  });

  it('ignores the output layer: a confident sigmoid output is saturated by design', () => {
    const f = runOne('saturated-activations', withHidden('sigmoid', [0, 0, 0, 0]));
    expect(f.status).toBe('pass');
    expect(f.affectedLayers).toEqual([]);
  });

  it('is not applicable to ReLU networks', () => {
    expect(runOne('saturated-activations', withHidden('relu', [1, 1, 1, 1])).status).toBe('notApplicable');
  });
});
