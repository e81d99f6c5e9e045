/**
 * `npm run bench:linear-fit`: what the linear baseline gather fits (src/gather/reference/linear-fit.ts) costs and reaches,
 * on the accuracy benchmark's datasets, plus digits from ../shared when present: the classifier (logistic
 * regression) on the classification sets, least squares on the regression sets (sine as the accuracy and fault
 * benchmarks generate it, diabetes from ../shared, and synthetic wide planes at the work budget). Each dataset is
 * prepared as gather prepares it (shuffle, 25% validation, standardize); the fit is repeated and the median time printed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { dataSchema } from '../src/config/spec-schema.js';
import { openDataset, prepareData } from '../src/gather/data/prepare.js';
import { type Dataset, rowCount } from '../src/gather/data/dataset.js';
import { fitLinearBaseline } from '../src/gather/reference/linear-fit.js';
import { createRng, gaussian } from '../src/util/random.js';
import { fixturesDir } from '../src/cli/fixtures.js';

const shared = process.env['NNAUDIT_SHARED'] ?? path.resolve(process.cwd(), '../shared');
const REPEATS = Number(process.argv[2] ?? 5);

const cases: Array<[string, Record<string, unknown>]> = [
  ['moons', { generator: 'moons', samples: 800, noise: 0.2 }],
  ['circles', { generator: 'circles', samples: 800, noise: 0.08 }],
  ['spirals (3)', { generator: 'spirals', samples: 900, classes: 3, noise: 0.1 }],
  ['blobs (3)', { generator: 'blobs', samples: 800, classes: 3, noise: 0.1 }],
  ['xor', { generator: 'xor', samples: 800, noise: 0.05 }],
  ['wide-enough moons', { generator: 'moons', samples: 2000, noise: 0.2 }],
  ['iris', { generator: 'iris' }],
  ['breast-cancer', { csv: path.join(fixturesDir(), 'data', 'breast-cancer.csv'), label: 'label' }],
  ['wine', { csv: path.join(fixturesDir(), 'data', 'wine.csv'), label: 'label' }],
  ['digits (shared)', { csv: path.join(shared, 'datasets', 'digits.csv'), label: 'label' }],
  ['sine (600)', { generator: 'sine', samples: 600, noise: 0.1 }],
  ['sine (800)', { generator: 'sine', samples: 800, noise: 0.1 }],
  ['diabetes (shared)', { csv: path.join(shared, 'datasets', 'diabetes.csv'), label: 'label', task: 'regression' }],
];

/** A noisy plane with d features and k targets, n rows: the regression fit's cost where the work budget binds. */
function plane(n: number, d: number, k: number): Dataset {
  const rng = createRng(1);
  const x = Float32Array.from({ length: n * d }, () => gaussian(rng));
  const y = new Float32Array(n * k);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < k; j++)
      for (let c = 0; c < d; c++) y[r * k + j]! += x[r * d + c]! * (((c + j) % 3) - 1) + (0.1 * gaussian(rng)) / d;
  return { x, y, yWidth: k, featureShape: [d], featureNames: [], task: 'regression', numClasses: 0, source: 'plane' };
}
const synthetic: Array<[string, Dataset, Dataset]> = [
  ['plane 30 x 1 (5000)', plane(5000, 30, 1), plane(1000, 30, 1)],
  ['plane 64 x 3 (5000)', plane(5000, 64, 3), plane(1000, 64, 3)],
  ['plane 200 x 1 (5000)', plane(5000, 200, 1), plane(1000, 200, 1)],
  // About the widest rows the budget still fits (rows >= 2 x (features + 1)).
  ['plane 300 x 1 (5000)', plane(5000, 300, 1), plane(1000, 300, 1)],
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const lines = [
  'dataset              rows used / train   features  classes   train acc   val acc   train loss   val loss   median ms',
];
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
function row(name: string, train: Dataset, validation: Dataset | null): void {
  // Regression is scored in MSE, the loss the benchmarks' regression networks use (the classifier needs no loss).
  const runs = Array.from({ length: REPEATS }, () => fitLinearBaseline(train, validation, 'meanSquaredError'));
  const f = runs[0]!;
  const loss = (v: number | null | undefined) => (f.task === 'regression' ? num(v, 4) : 'n/a');
  lines.push(
    `${name.padEnd(20)} ${`${f.rows} / ${rowCount(train)}`.padStart(17)}   ${String(f.features).padStart(8)}  ${String(f.classes || `${f.targets ?? 1}t`).padStart(7)}   ` +
      `${num(f.trainAccuracy).padStart(9)}   ${num(f.validationAccuracy).padStart(7)}   ${loss(f.trainLoss).padStart(10)}   ${loss(f.validationLoss).padStart(8)}   ` +
      `${median(runs.map((r) => r.ms))
        .toFixed(1)
        .padStart(9)}${f.skipped ? `   skipped: ${f.skipped}` : ''}`,
  );
}
for (const [name, input] of cases) {
  const file = (input['csv'] as string | undefined) ?? null;
  if (file && !existsSync(file)) {
    lines.push(`${name.padEnd(20)} skipped: ${file} not found`);
    continue;
  }
  const spec = dataSchema.parse({ normalize: 'standardize', ...input });
  const raw = await openDataset(spec, {
    baseDir: process.cwd(),
    seed: 7,
    inputShape: null,
    checkShape: () => undefined,
  });
  const p = prepareData(raw, spec, 0.25, 7);
  row(name, p.train, p.validation);
}
for (const [name, train, validation] of synthetic) row(name, train, validation);
process.stdout.write(`${lines.join('\n')}\n`);
