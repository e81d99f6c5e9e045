/**
 * The datasets the fault benchmark mutates, as plain arrays (so a mutation can flip labels or drop rows):
 * seeded generators, the two real CSVs in fixtures/data, and three more real CSVs from the shared folder
 * (digits 0-16 pixels, diabetes regression, bank churn with id and categorical columns) when it is present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '../src/gather/data/generators.js';
import { openDataset } from '../src/gather/data/prepare.js';
import { encodeCategoricals } from '../src/gather/data/categorical.js';
import { type Dataset, rowCount, rowWidth, takeRows } from '../src/gather/data/dataset.js';
import { fixturesDir } from '../src/cli/fixtures.js';
import { dataSchema, type GeneratorName } from '../src/config/spec-schema.js';
import { createRng, permutation } from '../src/util/random.js';

export interface BenchData {
  name: string;
  x: number[][];
  y: number[];
  task: 'classification' | 'regression';
  classes: number;
  /** Largest |feature| before any normalization: > 10 means raw units that need standardizing. */
  rawScale: number;
  /** Where it comes from, for the report. */
  origin: string;
}

export function fromGenerator(
  name: GeneratorName,
  samples: number,
  noise: number,
  classes: number,
  seed: number,
  scale = 1,
): BenchData {
  const d = generate(name, { samples, noise, classes, imageSize: 8, seed });
  const w = d.featureShape.reduce((a, b) => a * b, 1);
  const x = Array.from({ length: d.y.length }, (_, i) => Array.from(d.x.subarray(i * w, i * w + w), (v) => v * scale));
  return finish({
    name: scale === 1 ? name : `${name}-x${scale}`,
    x,
    y: Array.from(d.y),
    task: d.task,
    classes: d.numClasses,
    rawScale: 0,
    origin: `generator ${name}${scale === 1 ? '' : `, features x${scale} (raw units)`}`,
  });
}

export function fromCsv(file: string, name: string, task: BenchData['task'], origin: string): BenchData | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const labelAt = header.indexOf('label');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const x = rows.map((r) => r.filter((_, i) => i !== labelAt));
  const y = rows.map((r) => r[labelAt]!);
  return finish({ name, x, y, task, classes: task === 'classification' ? Math.max(...y) + 1 : 0, rawScale: 0, origin });
}

/** Seed of the churn A/B split. Fixed: part B is the lead's untouched held-out data, so the split must never move. */
const CHURN_SPLIT_SEED = 20261127;
let churnLoad: Promise<{ a: BenchData; b: BenchData } | null> | null = null;

/**
 * The bank-churn CSV read by nnaudit's own CSV source (ids excluded, Geography one-hot, Gender ordinal: the
 * encoding of the real app in shared/real-models/k3-churn-ann), its 10,000 rows split by a seeded shuffle into two
 * disjoint halves. The categories are learned from part A alone (as prepareData learns them from the training
 * split), so nothing of part B shapes part A. Loaded once; null when the shared folder is absent.
 */
function churnParts(): Promise<{ a: BenchData; b: BenchData } | null> {
  churnLoad ??= (async () => {
    const file = path.join(sharedDir(), 'datasets', 'churn-modelling.csv');
    if (!existsSync(file)) return null;
    const spec = dataSchema.parse({
      csv: file,
      label: 'Exited',
      task: 'classification',
      exclude: ['RowNumber', 'CustomerId', 'Surname'],
      categorical: ['Geography', { column: 'Gender', encode: 'ordinal' }],
    });
    const raw = await openDataset(spec, {
      baseDir: path.dirname(file),
      seed: CHURN_SPLIT_SEED,
      inputShape: null,
      checkShape: () => undefined,
    });
    const order = permutation(rowCount(raw), createRng(CHURN_SPLIT_SEED));
    const half = Math.floor(order.length / 2);
    const [a, b] = encodeCategoricals(takeRows(raw, order.slice(0, half)), takeRows(raw, order.slice(half)));
    const origin = (part: string) =>
      `bank churn (Kaggle "Churn Modelling", shared/datasets), ${part} of a seeded 50/50 split`;
    return { a: fromDataset(a, 'churn', origin('part A')), b: fromDataset(b!, 'churn-b', origin('part B, held out')) };
  })();
  return churnLoad;
}

function fromDataset(d: Dataset, name: string, origin: string): BenchData {
  const w = rowWidth(d);
  const x = Array.from({ length: rowCount(d) }, (_, i) => Array.from(d.x.subarray(i * w, i * w + w)));
  return finish({ name, x, y: Array.from(d.y), task: d.task, classes: d.numClasses, rawScale: 0, origin });
}

/**
 * Part B of the churn split, `churn-b`: the lead's untouched held-out data. It is in no case list (benchDatasets
 * returns part A only); nothing in the benchmark trains or tunes on it. null when the shared folder is absent.
 */
export async function churnHeldOut(): Promise<BenchData | null> {
  return (await churnParts())?.b ?? null;
}

function finish(d: BenchData): BenchData {
  let m = 0;
  for (const r of d.x) for (const v of r) m = Math.max(m, Math.abs(v));
  return { ...d, rawScale: m };
}

/** The shared folder: NNAUDIT_SHARED, default ../shared beside the checkout. */
export function sharedDir(): string {
  return path.resolve(process.env['NNAUDIT_SHARED'] ?? path.join(fixturesDir(), '..', '..', 'shared'));
}

export async function benchDatasets(): Promise<{ datasets: BenchData[]; skipped: string[] }> {
  const fx = (f: string) => path.join(fixturesDir(), 'data', f);
  const shared = (f: string) => path.join(sharedDir(), 'datasets', f);
  const datasets: Array<BenchData | null> = [
    fromGenerator('moons', 400, 0.2, 2, 3),
    fromGenerator('circles', 400, 0.08, 2, 3),
    fromGenerator('xor', 400, 0.05, 2, 3),
    fromGenerator('blobs', 400, 0.1, 3, 3),
    fromGenerator('spirals', 900, 0.1, 3, 3),
    fromGenerator('iris', 150, 0, 3, 3),
    fromGenerator('sine', 400, 0.1, 0, 3),
    fromGenerator('moons', 400, 0.2, 2, 5, 100),
    fromGenerator('blobs', 400, 0.1, 3, 5, 50),
    fromCsv(fx('breast-cancer.csv'), 'breast-cancer', 'classification', 'UCI breast cancer (fixtures/data)'),
    fromCsv(fx('wine.csv'), 'wine', 'classification', 'UCI wine (fixtures/data)'),
    fromCsv(shared('digits.csv'), 'digits', 'classification', 'UCI digits, 8x8 pixels 0-16 (shared/datasets)'),
    fromCsv(shared('diabetes.csv'), 'diabetes', 'regression', 'diabetes regression (shared/datasets)'),
    (await churnParts())?.a ?? null,
  ];
  const skipped = ['digits', 'diabetes', 'churn'].filter((n) => !datasets.some((d) => d?.name === n));
  return { datasets: datasets.filter((d): d is BenchData => d !== null), skipped };
}
