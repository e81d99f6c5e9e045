import { describe, expect, it } from 'vitest';
import { gradientEpoch, makeArtifacts } from '../helpers/artifacts.js';
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
    const a = makeArtifacts({ gradients: [gradientEpoch(0, [1e-6, 1e-3, 0.1]), gradientEpoch(1, [0.3, 0.3, 0.3]), gradientEpoch(2, [0.3, 0.3, 0.3])] });
    expect(runOne('vanishing-gradients', a).status).toBe('pass');
  });

  it('leaves exactly-zero gradients (dead units) to dead-relu', () => {
    const a = makeArtifacts({ gradients: [gradientEpoch(0, [0, 0, 0.3])] });
    const f = runOne('vanishing-gradients', a);
    expect(f.status).toBe('notApplicable');
    expect(f.displayValue).toMatch(/dead-relu/);
  });

  it('is not applicable for a single-layer model', () => {
    expect(runOne('vanishing-gradients', makeArtifacts({ gradients: [gradientEpoch(0, [0.3])] })).status).toBe('notApplicable');
  });
});
