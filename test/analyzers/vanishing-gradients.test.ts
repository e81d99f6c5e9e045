import { describe, expect, it } from 'vitest';
import { activationLayer, gradientEpoch, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

describe('vanishing-gradients', () => {
  it.each([
    { name: 'even flow', norms: [0.5, 0.4, 0.3], status: 'pass' },
    { name: 'ratio 0.05', norms: [0.02, 0.1, 0.4], status: 'pass' },
    { name: 'ratio 5e-3 with small first-layer gradients', norms: [5e-4, 0.01, 0.1], status: 'warn' },
    { name: 'ratio 1e-4 with tiny first-layer gradients', norms: [1e-5, 1e-3, 0.1], status: 'fail' },
    { name: 'ratio 1e-4 but first layer still large (mean |g| 0.1)', norms: [1, 10, 1e4], status: 'warn' },
  ])('$name -> $status', ({ norms, status }) => {
    const a = makeArtifacts({ gradients: [gradientEpoch(0, norms), gradientEpoch(1, norms)] });
    const f = runOne('vanishing-gradients', a);
    expect(f.status).toBe(status);
    // The smaller of the kernel ratio (first/last layer) and the back-propagated ratio (first/last hidden layer).
    expect(f.numericValue).toBeCloseTo(Math.min(norms[0]! / norms[2]!, norms[0]! / norms[1]!));
    expect(f.displayValue).toMatch(/back-propagated/);
  });

  it('uses the median over epochs, so one odd epoch does not decide', () => {
    const a = makeArtifacts({
      gradients: [
        gradientEpoch(0, [1e-6, 1e-3, 0.1]),
        gradientEpoch(1, [0.3, 0.3, 0.3]),
        gradientEpoch(2, [0.3, 0.3, 0.3]),
      ],
    });
    expect(runOne('vanishing-gradients', a).status).toBe('pass');
  });

  it('leaves exactly-zero gradients to dead-relu, citing it only when dead-relu reports dead units', () => {
    const relu = (layer: string, dead: number) => activationLayer(layer, 'relu', [dead, dead, dead, dead]);
    const acts = (dead: number) =>
      [0, 5].map((epoch) => ({
        epoch,
        layers: [relu('dense_1', dead), relu('dense_2', dead), activationLayer('dense_3', 'sigmoid', [0.5], [0])],
      }));
    const blocked = runOne(
      'vanishing-gradients',
      makeArtifacts({ gradients: [gradientEpoch(0, [0, 0, 0.3])], activations: acts(1) }),
    );
    expect(blocked.status).toBe('notApplicable');
    expect(blocked.displayValue).toMatch(/blocked by dead units: see dead-relu/);
    // The case: dead-relu reports 0% dead (the real cause was a softmax over one unit), so dead-relu is not cited.
    const base = makeArtifacts();
    const softmax1 = base.model.layers.map((l, i) => (i === 2 ? { ...l, activation: 'softmax' } : l));
    const notDead = runOne(
      'vanishing-gradients',
      makeArtifacts({
        model: { ...base.model, layers: softmax1 },
        gradients: [gradientEpoch(0, [0, 0, 0.3])],
        activations: acts(0.5),
      }),
    );
    expect(notDead.displayValue).not.toMatch(/dead/);
    expect(notDead.displayValue).toMatch(/see output-activation/);
  });

  it('is not applicable for a single-layer model', () => {
    expect(runOne('vanishing-gradients', makeArtifacts({ gradients: [gradientEpoch(0, [0.3])] })).status).toBe(
      'notApplicable',
    );
  });
});
