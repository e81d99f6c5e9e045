import { describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { createRng, permutation } from '../../src/util/random.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

/** evaluation.classRecall: per-class recall on the validation rows, which accuracy hides on imbalanced data. */
describe('per-class recall on the validation rows', () => {
  const layers = [
    { type: 'dense' as const, units: 8, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];

  /** A 95/5-style set whose features carry no signal (class 1 every `every`-th row), trained as one spec. */
  const noSignal = (rows: number, every: number): SpecInput => {
    const rng = createRng(4);
    const y = Array.from({ length: rows }, (_, i) => (i % every === 0 ? 1 : 0));
    return {
      seed: 2,
      data: { json: { x: y.map(() => [rng() - 0.5, rng() - 0.5]), y }, task: 'classification' },
      model: {
        train: {
          layers,
          loss: 'binaryCrossentropy',
          metrics: ['accuracy'],
          epochs: 20,
          optimizer: { name: 'adam', learningRate: 0.05 },
          validationSplit: 0.25,
        },
      },
    };
  };

  it('a 95/5 set whose features carry no signal, with enough rare validation rows: the rare class never recalled, class-imbalance fails', async () => {
    const r = await audit(noSignal(1200, 20));
    const evaluation = r.measurements?.evaluation;
    const recall = evaluation?.classRecall ?? [];
    const counts = evaluation?.classCounts ?? [];
    expect(recall).toHaveLength(2);
    expect(counts).toHaveLength(2);
    expect(counts[0]! + counts[1]!).toBe(evaluation?.rows);
    expect(counts[1]).toBeGreaterThanOrEqual(12);
    expect(recall[0]).toBeGreaterThan(0.9);
    expect(recall[1]).toBeLessThan(0.5);
    const f = r.findings.find((x) => x.id === 'class-imbalance')!;
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toContain(`(${counts[1]} rows)`);
  });

  it('a rare class with only 1-2 validation rows, missed there: too few to fail on, class-imbalance warns', async () => {
    // 5 rare rows of 200: the seeded 25% validation split holds two of them, a recall of 0/2.
    const r = await audit(noSignal(200, 40));
    const evaluation = r.measurements?.evaluation;
    const counts = evaluation?.classCounts ?? [];
    expect(counts[1]).toBeGreaterThanOrEqual(1);
    expect(counts[1]).toBeLessThanOrEqual(2);
    expect(evaluation?.classRecall?.[1]).toBe(0);
    const f = r.findings.find((x) => x.id === 'class-imbalance')!;
    expect(f.status, f.displayValue).toBe('warn');
    expect(f.displayValue).toMatch(/only [12] validation rows? of class 1 \(recall 0.00\): too few to judge/);
  });

  it('too few rare validation rows, but enough with the training rows: pooled, a rare class never recalled fails', async () => {
    // 16 rare rows of 400: about 4 in validation (too few alone), 16 in all.
    const r = await audit(noSignal(400, 25));
    const e = r.measurements?.evaluation;
    expect(e?.classCounts?.[1]).toBeLessThan(12);
    expect((e?.classCounts?.[1] ?? 0) + (e?.trainClassCounts?.[1] ?? 0)).toBe(16);
    const f = r.findings.find((x) => x.id === 'class-imbalance')!;
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toMatch(
      /a recall of 0\.\d\d on its 16 training and validation rows together \(\d validation rows: too few alone/,
    );
    expect(f.recommendation).toMatch(/^Rebalance/);
  });

  it('the same 16 rare rows where the features separate them: pooled recall high, class-imbalance passes', async () => {
    const spec = noSignal(400, 25);
    const json = (spec.data as { json: { x: number[][]; y: number[] } }).json;
    json.x = json.x.map((row, i) => (json.y[i] === 1 ? [row[0]! + 3, row[1]! + 3] : row));
    const f = (await audit(spec)).findings.find((x) => x.id === 'class-imbalance')!;
    expect(f.status, f.displayValue).toBe('pass');
    expect(f.displayValue).toMatch(/training and validation rows together/);
  });

  it('the only row of a class lands in the validation rows: the training rows hold one class, class-imbalance fails and underfitting says why it cannot judge', async () => {
    // The fault benchmark's set-5 class-imbalance/iris: 5% of classes 1 and 2 kept left 38 training rows all of class 0
    // and one validation row of class 1. It passed ("1.0:1") and underfitting was n/a without a reason.
    const spec = noSignal(40, 1000);
    const json = (spec.data as { json: { x: number[][]; y: number[] } }).json;
    // gather's split: the first 25% of a seeded permutation (seed + 17) are the validation rows; put class 1 there.
    const firstValidationRow = permutation(40, createRng(spec.seed! + 17))[0]!;
    json.y = json.y.map((_, i) => (i === firstValidationRow ? 1 : 0));
    const r = await audit(spec);
    expect(r.measurements?.evaluation?.classCounts).toEqual([9, 1]);
    const f = r.findings.find((x) => x.id === 'class-imbalance')!;
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toBe(
      'the training rows hold only class 0: there is nothing to tell it from; class 1 has 1 validation row and no training rows: the model cannot learn it',
    );
    expect(f.recommendation).toMatch(/stratify/);
    const u = r.findings.find((x) => x.id === 'underfitting')!;
    expect(u.status, u.displayValue).toBe('notApplicable');
    expect(u.displayValue).toMatch(
      /the training rows hold one class: a constant predictor is already perfect \(see class-imbalance\)/,
    );
  });

  it('balanced moons: both classes recalled, class-imbalance passes', async () => {
    const r = await audit({
      seed: 2,
      data: { generator: 'moons', samples: 300, noise: 0.1, normalize: 'standardize' },
      model: {
        train: { layers, loss: 'binaryCrossentropy', epochs: 15, optimizer: { name: 'adam', learningRate: 0.03 } },
      },
    });
    const recall = r.measurements?.evaluation?.classRecall ?? [];
    expect(recall).toHaveLength(2);
    for (const v of recall) expect(v).toBeGreaterThan(0.7);
    expect(r.findings.find((f) => f.id === 'class-imbalance')!.status).toBe('pass');
  });
});
