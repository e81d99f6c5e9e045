/**
 * The fault benchmark's second set, all of it held out. It was written after the first set's held-out half had been
 * seen (and had chosen what to work on), so that half is no longer untouched; this set is: new draws of every
 * generated dataset (new data seeds), 80% row subsamples of the real CSVs drawn with a new seed, and new training
 * and mutation seeds (SET2_SEEDS), and part B of the bank-churn split, whose rows no run of the first set used. Dataset
 * names stay those of the first set, so each keeps its healthy base model.
 */
import path from 'node:path';
import { fixturesDir } from '../src/cli/fixtures.js';
import { createRng } from '../src/util/random.js';
import { churnHeldOut, fromCsv, fromGenerator, sharedDir, type BenchData } from './faults-data.js';

const SUBSAMPLE_SEED = 29;

/** A seeded share of a dataset's rows, in their original order. */
function subsample(d: BenchData | null, share: number): BenchData | null {
  if (!d) return null;
  const rng = createRng(SUBSAMPLE_SEED);
  const keep = d.y.map(() => rng() < share);
  return { ...d, x: d.x.filter((_, i) => keep[i]), y: d.y.filter((_, i) => keep[i]), origin: `${d.origin}, ${Math.round(share * 100)}% of the rows (seed ${SUBSAMPLE_SEED})` };
}

export async function benchDatasetsSet2(): Promise<{ datasets: BenchData[]; skipped: string[] }> {
  const churnB = await churnHeldOut();
  const fx = (f: string) => path.join(fixturesDir(), 'data', f);
  const shared = (f: string) => path.join(sharedDir(), 'datasets', f);
  const datasets: Array<BenchData | null> = [
    fromGenerator('moons', 400, 0.2, 2, 7),
    fromGenerator('circles', 400, 0.08, 2, 7),
    fromGenerator('xor', 400, 0.05, 2, 7),
    fromGenerator('blobs', 400, 0.1, 3, 7),
    fromGenerator('spirals', 900, 0.1, 3, 7),
    fromGenerator('iris', 150, 0, 3, 7),
    fromGenerator('sine', 400, 0.1, 0, 7),
    fromGenerator('moons', 400, 0.2, 2, 13, 100),
    fromGenerator('blobs', 400, 0.1, 3, 13, 50),
    subsample(fromCsv(fx('breast-cancer.csv'), 'breast-cancer', 'classification', 'UCI breast cancer (fixtures/data)'), 0.8),
    subsample(fromCsv(fx('wine.csv'), 'wine', 'classification', 'UCI wine (fixtures/data)'), 0.8),
    subsample(fromCsv(shared('digits.csv'), 'digits', 'classification', 'UCI digits, 8x8 pixels 0-16 (shared/datasets)'), 0.8),
    subsample(fromCsv(shared('diabetes.csv'), 'diabetes', 'regression', 'diabetes regression (shared/datasets)'), 0.8),
    churnB ? { ...churnB, name: 'churn' } : null,
  ];
  const skipped = ['digits', 'diabetes', 'churn'].filter((n) => !datasets.some((d) => d?.name === n));
  return { datasets: datasets.filter((d): d is BenchData => d !== null), skipped };
}
