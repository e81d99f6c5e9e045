/**
 * The fault benchmark's fresh sets, all of them held out. The second was written after the first set's held-out half
 * had been seen (and had chosen what to work on), so that half is no longer untouched: new draws of every generated
 * dataset (new data seeds), 80% row subsamples of the real CSVs drawn with a new seed, new training and mutation seeds
 * (SET_SEEDS[2]), and part B of the bank-churn split, whose rows no run of the first set used. The third was written after
 * the second had been run, the same way with other seeds (SET_SEEDS[3]); its churn rows are an 80% subsample of part B
 * (those rows were seen by the second set, these training runs were not). The fourth, written after the third had been
 * run, likewise (SET_SEEDS[4]). The fifth, written after the fourth had been run and before its own first run, likewise
 * (SET_SEEDS[5]): it measures this session's changes (underfitting's end slope on runs probed only at their ends,
 * class-imbalance's warning for a rare class with no validation rows). The sixth, written after the fifth had been run
 * and had shown what was changed next (class-imbalance on a class the training rows lack, the dropout-rate analyzer),
 * likewise (SET_SEEDS[6]). The seventh, written after the sixth had been run, likewise (SET_SEEDS[7]): the first set whose
 * data mutations (label noise, class imbalance) change the training rows only (trainOnly in faults-cases.ts). The
 * eighth, written after the seventh had been run and had shown what was changed next (the label-noise analyzer,
 * class-imbalance's test of a rare class against the common ones), likewise (SET_SEEDS[8]). The ninth, written after the
 * eighth had been run and had shown label-noise failing weak models on a split richer in an easy class (now compared
 * class by class), likewise (SET_SEEDS[9]). The tenth, written after the ninth had been run and had shown one-epoch runs
 * that end flat short of what their rows allow (underfitting's neighbour vote), likewise (SET_SEEDS[10]). The eleventh,
 * written after the tenth had been run and had shown label-noise failing an untrained circles model (now n/a near
 * chance), likewise (SET_SEEDS[11]). The twelfth, written after the eleventh had been run and had shown a thin rare class
 * recognised on 0 of its 8 validation rows that could only warn (class-imbalance's exact binomial test), likewise
 * (SET_SEEDS[12]). The thirteenth, written after the twelfth had been run and had shown label-noise failing a diverged
 * model and warning on a clean one at 2.4 standard errors (its significance line now at 0.1%), likewise (SET_SEEDS[13]).
 * The fourteenth, written after the thirteenth had been run and had shown label-noise missing models that had fit the
 * changed labels (its second reading, the validation rows' neighbour vote, chosen on sets 2-13 and bench:label-vote),
 * likewise (SET_SEEDS[14]). Dataset names stay those of the first set,
 * so each keeps its healthy base model.
 */
import path from 'node:path';
import { fixturesDir } from '../src/cli/fixtures.js';
import { createRng } from '../src/util/random.js';
import { churnHeldOut, fromCsv, fromGenerator, sharedDir, type BenchData } from './faults-data.js';

/** The fresh sets, in the order they were written. */
export const FRESH_SETS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] as const;
export type FreshSet = (typeof FRESH_SETS)[number];

/** Per fresh set (exported for the test that no two sets share a seed): the generators' data seed, the raw-unit copies' data seed, the subsample seed, and churn's share. */
export const FRESH: Record<FreshSet, { data: number; raw: number; subsample: number; churnShare: number }> = {
  2: { data: 7, raw: 13, subsample: 29, churnShare: 1 },
  3: { data: 17, raw: 19, subsample: 31, churnShare: 0.8 },
  4: { data: 41, raw: 43, subsample: 47, churnShare: 0.8 },
  5: { data: 59, raw: 61, subsample: 67, churnShare: 0.8 },
  6: { data: 73, raw: 79, subsample: 83, churnShare: 0.8 },
  7: { data: 97, raw: 101, subsample: 103, churnShare: 0.8 },
  8: { data: 109, raw: 113, subsample: 127, churnShare: 0.8 },
  9: { data: 137, raw: 139, subsample: 149, churnShare: 0.8 },
  10: { data: 157, raw: 163, subsample: 167, churnShare: 0.8 },
  11: { data: 179, raw: 181, subsample: 191, churnShare: 0.8 },
  12: { data: 197, raw: 199, subsample: 211, churnShare: 0.8 },
  13: { data: 227, raw: 229, subsample: 233, churnShare: 0.8 },
  14: { data: 241, raw: 251, subsample: 257, churnShare: 0.8 },
};

/** A seeded share of a dataset's rows, in their original order. */
function subsample(d: BenchData | null, share: number, seed: number): BenchData | null {
  if (!d || share >= 1) return d;
  const rng = createRng(seed);
  const keep = d.y.map(() => rng() < share);
  return {
    ...d,
    x: d.x.filter((_, i) => keep[i]),
    y: d.y.filter((_, i) => keep[i]),
    origin: `${d.origin}, ${Math.round(share * 100)}% of the rows (seed ${seed})`,
  };
}

export async function benchDatasetsFresh(set: FreshSet): Promise<{ datasets: BenchData[]; skipped: string[] }> {
  const f = FRESH[set];
  const churnB = subsample(await churnHeldOut(), f.churnShare, f.subsample);
  const fx = (f: string) => path.join(fixturesDir(), 'data', f);
  const shared = (f: string) => path.join(sharedDir(), 'datasets', f);
  const datasets: Array<BenchData | null> = [
    fromGenerator('moons', 400, 0.2, 2, f.data),
    fromGenerator('circles', 400, 0.08, 2, f.data),
    fromGenerator('xor', 400, 0.05, 2, f.data),
    fromGenerator('blobs', 400, 0.1, 3, f.data),
    fromGenerator('spirals', 900, 0.1, 3, f.data),
    fromGenerator('iris', 150, 0, 3, f.data),
    fromGenerator('sine', 400, 0.1, 0, f.data),
    fromGenerator('moons', 400, 0.2, 2, f.raw, 100),
    fromGenerator('blobs', 400, 0.1, 3, f.raw, 50),
    subsample(
      fromCsv(fx('breast-cancer.csv'), 'breast-cancer', 'classification', 'UCI breast cancer (fixtures/data)'),
      0.8,
      f.subsample,
    ),
    subsample(fromCsv(fx('wine.csv'), 'wine', 'classification', 'UCI wine (fixtures/data)'), 0.8, f.subsample),
    subsample(
      fromCsv(shared('digits.csv'), 'digits', 'classification', 'UCI digits, 8x8 pixels 0-16 (shared/datasets)'),
      0.8,
      f.subsample,
    ),
    subsample(
      fromCsv(shared('diabetes.csv'), 'diabetes', 'regression', 'diabetes regression (shared/datasets)'),
      0.8,
      f.subsample,
    ),
    churnB ? { ...churnB, name: 'churn' } : null,
  ];
  const skipped = ['digits', 'diabetes', 'churn'].filter((n) => !datasets.some((d) => d?.name === n));
  return { datasets: datasets.filter((d): d is BenchData => d !== null), skipped };
}
