import { describe, expect, it } from 'vitest';
import { faultCases, SET1_SEEDS, SET_SEEDS } from '../../bench/faults-cases.js';
import { FRESH, FRESH_SETS } from '../../bench/faults-data-fresh.js';
import { fromGenerator } from '../../bench/faults-data.js';
import { splitRows } from '../../src/gather/data/prepare.js';
import type { FaultCase } from '../../bench/faults-cases.js';

/** The rows gather's own split gives a case: its validation and training rows, as [x, y] pairs. */
function split(c: FaultCase): { validation: Array<[number[], number]>; train: Array<[number[], number]> } {
  const data = c.spec.data as { json: { x: number[][]; y: number[] } };
  const train = (c.spec.model as { train: { validationSplit: number } }).train;
  const rows = splitRows(data.json.y.length, train.validationSplit, c.spec.seed!);
  const pick = (ids: number[]) => ids.map((i): [number[], number] => [data.json.x[i]!, data.json.y[i]!]);
  return { validation: pick(rows.validation), train: pick(rows.train) };
}

describe('fault benchmark: data mutations change the training rows only', () => {
  const cases = faultCases([fromGenerator('moons', 400, 0.2, 2, 7)], SET1_SEEDS);
  const byId = (id: string) => cases.find((c) => c.id === id)!;
  const clean = split(byId('clean/moons/s1'));

  it("label noise: the validation rows are the clean model's, and about 40% of the training labels changed", () => {
    const noisy = split(byId('label-noise/moons/v0'));
    expect(noisy.validation).toEqual(clean.validation);
    expect(noisy.train.map(([x]) => x)).toEqual(clean.train.map(([x]) => x));
    const changed = noisy.train.filter(([, y], i) => y !== clean.train[i]![1]).length / clean.train.length;
    expect(changed).toBeGreaterThan(0.3);
    expect(changed).toBeLessThan(0.5);
  });

  it("class imbalance: the validation rows are the clean model's, balanced; the training rows keep class 0 and about 5% of class 1", () => {
    const cut = split(byId('class-imbalance/moons/v0'));
    expect(cut.validation).toEqual(clean.validation);
    expect(cut.validation.filter(([, y]) => y === 1).length).toBeGreaterThanOrEqual(40);
    const count = (rows: Array<[number[], number]>, k: number) => rows.filter(([, y]) => y === k).length;
    expect(count(cut.train, 0)).toBe(count(clean.train, 0));
    const kept = count(cut.train, 1) / count(clean.train, 1);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(0.12);
    // The kept rows are clean training rows, in their order.
    const cleanKeys = clean.train.map(([x]) => x.join(','));
    const at = cut.train.map(([x]) => cleanKeys.indexOf(x.join(',')));
    expect(at.every((v, i) => v >= 0 && (i === 0 || v > at[i - 1]!))).toBe(true);
  });
});

describe('fault benchmark: every set is new', () => {
  it('no two sets share a training seed or a mutation seed, and no two fresh sets share a data or subsample seed', () => {
    const training = Object.values(SET_SEEDS).flatMap((s) => [...s.clean, s.mutated]);
    // Within a set the mutated models train with the first clean seed (the reference they are compared with).
    const perSet = Object.values(SET_SEEDS).flatMap((s) => [...new Set([...s.clean, s.mutated])]);
    expect(new Set(perSet).size, `training seeds ${training.join(', ')}`).toBe(perSet.length);
    const mutation = Object.values(SET_SEEDS).map((s) => s.mutation);
    expect(new Set(mutation).size).toBe(mutation.length);
    const data = FRESH_SETS.flatMap((n) => [FRESH[n].data, FRESH[n].raw, FRESH[n].subsample]);
    expect(new Set(data).size, `data seeds ${data.join(', ')}`).toBe(data.length);
    expect(Object.keys(SET_SEEDS).map(Number)).toEqual([1, ...FRESH_SETS]);
  });
});
