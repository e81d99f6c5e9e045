import { describe, expect, it } from 'vitest';
import { makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import { summarizeTargets } from '../../src/gather/target-summary.js';
import type { Artifacts } from '../../src/artifacts/schema.js';

/** Training labels with these class counts, and this recall per class on the validation rows. */
function data(counts: number[], recall: Array<number | null> | undefined): Artifacts {
  const y = counts.flatMap((n, c) => Array<number>(n).fill(c));
  const base = makeArtifacts();
  return makeArtifacts({
    model: { ...base.model, outputShape: [null, counts.length], loss: 'sparseCategoricalCrossentropy' },
    data: { ...base.data, numClasses: counts.length, targetSummary: summarizeTargets(y, 1, 'sparseCategoricalCrossentropy') },
    ...(recall ? { evaluation: { rows: 100, on: 'validation', loss: 0.3, metrics: { accuracy: 0.95 }, classRecall: recall } } : {}),
  });
}

describe('class-imbalance', () => {
  it.each([
    { name: 'balanced classes, every class learned', a: data([50, 50], [0.95, 0.93]), status: 'pass', match: /largest to smallest class 1.0:1/ },
    { name: 'balanced classes, one class poorly learned (underfitting, not imbalance)', a: data([50, 50], [0.95, 0.3]), status: 'pass' },
    { name: '95/5 and the rare class ignored (accuracy 0.95 hides it)', a: data([95, 5], [1, 0]), status: 'fail', match: /class 1 has 5% of the training rows \(largest to smallest 19:1\) and a recall of 0.00/ },
    { name: '95/5 with the rare class mostly learned', a: data([95, 5], [0.98, 0.7]), status: 'warn' },
    { name: '95/5 with the rare class learned (imbalance alone is no fault)', a: data([95, 5], [0.99, 0.9]), status: 'pass' },
    { name: 'three classes, two rare, the worst named', a: data([90, 5, 5], [1, 0.6, 0.2]), status: 'fail', match: /class 2 .* recall of 0.20/ },
    { name: 'no per-class recall recorded', a: data([95, 5], undefined), status: 'notApplicable', match: /no per-class recall/ },
  ])('$name -> $status', ({ a, status, match }) => {
    const f = runOne('class-imbalance', a);
    expect(f.status, f.displayValue).toBe(status);
    if (match) expect(f.displayValue).toMatch(match);
    if (status === 'fail') expect(f.recommendation).toMatch(/class_weight/);
  });

  it('is not applicable to regression', () => {
    const a = makeArtifacts();
    expect(runOne('class-imbalance', { ...a, data: { ...a.data, task: 'regression', numClasses: 0 } }).status).toBe('notApplicable');
  });
});
