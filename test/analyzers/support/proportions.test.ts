import { describe, expect, it } from 'vitest';
import {
  binomialAtMost,
  classTally,
  mcNemarZ,
  stratifiedZBelow,
  zBelow,
} from '../../../src/analyzers/support/proportions.js';

describe('proportions', () => {
  it('zBelow is the pooled two-proportion z: 50/100 against 60/100 is 1.42 standard errors below', () => {
    // pooled 0.55, standard error sqrt(0.55 * 0.45 * (1/100 + 1/100)) = 0.0704; (0.6 - 0.5) / 0.0704 = 1.421
    expect(zBelow({ hits: 50, rows: 100 }, { hits: 60, rows: 100 })).toBeCloseTo(1.421, 3);
    expect(zBelow({ hits: 60, rows: 100 }, { hits: 50, rows: 100 })).toBeCloseTo(-1.421, 3);
    expect(zBelow({ hits: 10, rows: 10 }, { hits: 20, rows: 20 })).toBe(0);
    expect(zBelow({ hits: 0, rows: 0 }, { hits: 20, rows: 20 })).toBe(0);
  });

  it('stratifiedZBelow on one stratum is the pooled z times sqrt((n - 1) / n) (hypergeometric, not binomial, variance)', () => {
    const low = { hits: 50, rows: 100 };
    const high = { hits: 60, rows: 100 };
    expect(stratifiedZBelow([{ low, high }])).toBeCloseTo(zBelow(low, high) * Math.sqrt(199 / 200), 6);
  });

  it('a different mix of strata is no difference: the same rate in every stratum gives 0, where the pooled z sees a gap', () => {
    // Stratum A answered 100% on both sides, B 60% on both; the high side holds mostly A rows.
    const strata = [
      { low: { hits: 30, rows: 30 }, high: { hits: 60, rows: 60 } },
      { low: { hits: 96, rows: 160 }, high: { hits: 12, rows: 20 } },
    ];
    expect(stratifiedZBelow(strata)).toBeCloseTo(0, 9);
    expect(zBelow({ hits: 126, rows: 190 }, { hits: 72, rows: 80 })).toBeGreaterThan(3);
  });

  it('classTally turns per-class recall and rows back into hits, skipping classes with no rows or no recall', () => {
    expect(classTally([0.5, null, 1, 0.25], [10, 5, 0, 4], [0, 1, 2, 3])).toEqual({ hits: 6, rows: 14 });
  });

  it('binomialAtMost is the exact lower tail: 0 of 8 at 0.5 is 1/256, at most 3 of 12 at 0.8 is 0.0039%... and the edges are 0 and 1', () => {
    expect(binomialAtMost(8, 0, 0.5)).toBeCloseTo(1 / 256, 12);
    // P[Bin(12, 0.8) < 6] = P[<= 5]: class-imbalance's minRows source quotes at most 0.4% from 12 rows on.
    expect(binomialAtMost(12, 5, 0.8)).toBeCloseTo(0.0039, 4);
    expect(binomialAtMost(3, 3, 0.5)).toBe(1);
    expect(binomialAtMost(3, -1, 0.5)).toBe(0);
  });

  it('mcNemarZ: (b - c - 1) / sqrt(b + c) when the first is ahead, else 0', () => {
    expect(mcNemarZ(36, 4)).toBeCloseTo(31 / Math.sqrt(40), 9);
    expect(mcNemarZ(4, 36)).toBe(0);
    expect(mcNemarZ(0, 0)).toBe(0);
  });
});
