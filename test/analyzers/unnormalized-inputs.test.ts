import { describe, expect, it } from 'vitest';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const withRange = (min: number, max: number, normalize = 'none', firstClass = 'Dense') => {
  const base = makeArtifacts();
  return makeArtifacts({
    data: { ...base.data, normalize, featureRange: { min, max, meanAbs: (Math.abs(min) + Math.abs(max)) / 4 } },
    model: { ...base.model, layers: base.model.layers.map((l, i) => (i === 0 ? { ...l, className: firstClass } : l)) },
  });
};

describe('unnormalized-inputs', () => {
  it.each([
    { name: 'standardized-looking [-3, 3]', min: -3, max: 3, status: 'pass' },
    { name: 'pixels 0..16 (digits)', min: 0, max: 16, status: 'warn' },
    { name: 'raw areas up to 4254 (breast cancer)', min: 0.0, max: 4254, status: 'fail' },
    { name: 'x100 inputs (AUTOTRAINER)', min: -150, max: 120, status: 'fail' },
  ])('$name -> $status', ({ min, max, status }) => {
    const f = runOne('unnormalized-inputs', withRange(min, max));
    expect(f.status).toBe(status);
    expect(f.numericValue).toBe(Math.max(Math.abs(min), Math.abs(max)));
  });

  it('does not apply when the spec standardizes or the model normalizes first', () => {
    expect(runOne('unnormalized-inputs', withRange(0, 4254, 'standardize')).status).toBe('notApplicable');
    expect(runOne('unnormalized-inputs', withRange(0, 4254, 'none', 'BatchNormalization')).status).toBe(
      'notApplicable',
    );
  });

  it('raw 0-16 pixels fail when an effect of large inputs fails in the same result, and only warn otherwise', () => {
    const a = withRange(0, 16);
    expect(runOne('unnormalized-inputs', a).status).toBe('warn');
    a.history = history({ loss: decay(20, Math.log(2), 0.99 * Math.log(2)), accuracy: Array(20).fill(0.5) });
    const f = runOne('unnormalized-inputs', a);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/its usual effects fail: underfitting/);
  });

  it('charts the scale against the threshold it crossed, so page 1 can show the root cause; a pass carries no chart', () => {
    const f = runOne('unnormalized-inputs', withRange(-150, 120));
    expect(f.evidence).toEqual([
      expect.objectContaining({ kind: 'bars', values: [150, 67.5, 1], logY: true, threshold: 100 }),
    ]);
    expect(runOne('unnormalized-inputs', withRange(0, 16)).evidence[0]).toMatchObject({ threshold: 10 });
    expect(runOne('unnormalized-inputs', withRange(-3, 3)).evidence).toEqual([]);
  });
});
