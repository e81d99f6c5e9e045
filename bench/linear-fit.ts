/**
 * `npm run bench:linear-fit`: what the linear classifier gather fits (src/gather/linear-fit.ts) costs and reaches,
 * on the accuracy benchmark's datasets, plus digits and churn from ../shared when present. Each dataset is prepared
 * as gather prepares it (shuffle, 25% validation, standardize); the fit is repeated and the median time printed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { dataSchema } from '../src/config/spec-schema.js';
import { openDataset, prepareData } from '../src/gather/data/prepare.js';
import { rowCount } from '../src/gather/data/dataset.js';
import { fitLinearClassifier } from '../src/gather/linear-fit.js';
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
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const lines = ['dataset              rows used / train   features  classes   train acc   val acc   median ms'];
for (const [name, input] of cases) {
  const file = (input['csv'] as string | undefined) ?? null;
  if (file && !existsSync(file)) { lines.push(`${name.padEnd(20)} skipped: ${file} not found`); continue; }
  const spec = dataSchema.parse({ normalize: 'standardize', ...input });
  const raw = await openDataset(spec, { baseDir: process.cwd(), seed: 7, inputShape: null, checkShape: () => undefined });
  const p = prepareData(raw, spec, 0.25, 7);
  const runs = Array.from({ length: REPEATS }, () => fitLinearClassifier(p.train, p.validation));
  const f = runs[0]!;
  const acc = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  lines.push(`${name.padEnd(20)} ${`${f.rows} / ${rowCount(p.train)}`.padStart(17)}   ${String(f.features).padStart(8)}  ${String(f.classes).padStart(7)}   ${acc(f.trainAccuracy).padStart(9)}   ${acc(f.validationAccuracy).padStart(7)}   ${median(runs.map((r) => r.ms)).toFixed(1).padStart(9)}${f.skipped ? `   skipped: ${f.skipped}` : ''}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
