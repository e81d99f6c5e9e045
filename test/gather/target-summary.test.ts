import { describe, expect, it } from 'vitest';
import { summarizeTargets } from '../../src/gather/reference/target-summary.js';

const H = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
const oneHot = (n: number, k: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, c) => (i % k === c ? 1 : 0))).flat();

describe('summarizeTargets', () => {
  it('multi-label BCE over 10 one-hot units: the mean per-unit binary entropy and per-unit binary accuracy (not ln(10)/10 and 0.1)', () => {
    const s = summarizeTargets(Float32Array.from(oneHot(1000, 10)), 10, 'binaryCrossentropy');
    expect(s.kind).toBe('one-hot');
    expect(s.constantLoss).toBeCloseTo(H(0.1), 4); // 0.325, where the old baseline said ln(10)/10 = 0.230
    expect(s.chanceAccuracy).toBeCloseTo(0.9, 6); // binary accuracy of predicting 0 everywhere
  });

  it('categorical and sparse categorical: the class-prior entropy and the majority class', () => {
    const cce = summarizeTargets(Float32Array.from(oneHot(900, 3)), 3, 'categoricalCrossentropy');
    expect(cce.constantLoss).toBeCloseTo(Math.log(3), 4);
    expect(cce.chanceAccuracy).toBeCloseTo(1 / 3, 4);
    const ids = Float32Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : i < 90 ? 1 : 2));
    const scce = summarizeTargets(ids, 1, 'sparseCategoricalCrossentropy');
    expect(scce.classPriors).toEqual([0.7, 0.2, 0.1].map((p) => expect.closeTo(p, 6)));
    expect(scce.constantLoss).toBeCloseTo(-(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)), 5);
    expect(scce.chanceAccuracy).toBeCloseTo(0.7, 6);
  });

  it('MAE: the median, not the mean; MSE: the variance; per output for multi-output regression', () => {
    const y = Float32Array.from([0, 0, 0, 1, 10]);
    expect(summarizeTargets(y, 1, 'meanAbsoluteError').constantLoss).toBeCloseTo(11 / 5, 6); // median 0
    expect(summarizeTargets(y, 1, 'meanSquaredError').constantLoss).toBeCloseTo(
      (3 * 2.2 ** 2 + 1.2 ** 2 + 7.8 ** 2) / 5,
      4,
    );
    // Two outputs: [0..3] and 100x that; Keras averages the per-output loss over the last axis.
    const two = Float32Array.from([0, 0, 1, 100, 2, 200, 3, 300]);
    expect(summarizeTargets(two, 2, 'meanAbsoluteError').constantLoss).toBeCloseTo((1 + 100) / 2, 4);
    expect(summarizeTargets(two, 2, 'meanSquaredError').unitMeans).toEqual([1.5, 150]);
  });

  it('Huber: the convex optimum between median and mean (delta 1)', () => {
    const y = Float32Array.from([0, 0, 0, 0, 100]);
    const s = summarizeTargets(y, 1, 'huber');
    // Best constant c in [0, 0.25]: 4 points at |c| <= 1 (quadratic) and one at 100 (linear): c = 0.25, loss = (4*0.03125 + 99.25) / 5.
    expect(s.constantLoss).toBeCloseTo((4 * 0.5 * 0.25 ** 2 + (100 - 0.25 - 0.5)) / 5, 4);
  });

  it('MAE on 0/1 labels (the XOR case) has a baseline: the majority label', () => {
    const y = Float32Array.from({ length: 100 }, (_, i) => i % 2);
    const s = summarizeTargets(y, 1, 'meanAbsoluteError');
    expect(s.constantLoss).toBeCloseTo(0.5, 6);
    expect(s.chanceAccuracy).toBeCloseTo(0.5, 6);
  });

  it('class ids fed to binary cross-entropy: the constant predictor scores <= 0, the symptom of labels above 1', () => {
    const s = summarizeTargets(
      Float32Array.from({ length: 99 }, (_, i) => i % 3),
      1,
      'binaryCrossentropy',
    );
    expect(s.kind).toBe('integer');
    expect(s.max).toBe(2);
    expect(s.constantLoss!).toBeLessThanOrEqual(1e-5);
    // Binary accuracy never matches the label 2: chance is the larger of the 0 and 1 shares.
    expect(s.chanceAccuracy).toBeCloseTo(1 / 3, 6);
  });

  it('tells multi-hot from one-hot and real from integer', () => {
    expect(summarizeTargets(Float32Array.from([1, 1, 0, 1]), 2, 'binaryCrossentropy').kind).toBe('multi-hot');
    expect(summarizeTargets(Float32Array.from([0.5, 1.5]), 1, 'meanSquaredError').kind).toBe('real');
    expect(summarizeTargets(Float32Array.from([3, 7]), 1, 'meanSquaredError').kind).toBe('integer');
  });
});
