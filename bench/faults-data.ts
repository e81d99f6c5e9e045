/**
 * The datasets the fault benchmark mutates, as plain arrays (so a mutation can flip labels or drop rows):
 * seeded generators, the two real CSVs in fixtures/data, and two more real CSVs from the shared folder
 * (digits 0-16 pixels, diabetes regression) when it is present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '../src/gather/data/generators.js';
import { fixturesDir } from '../src/cli/fixtures.js';
import type { GeneratorName } from '../src/config/spec-schema.js';

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

export function fromGenerator(name: GeneratorName, samples: number, noise: number, classes: number, seed: number, scale = 1): BenchData {
  const d = generate(name, { samples, noise, classes, imageSize: 8, seed });
  const w = d.featureShape.reduce((a, b) => a * b, 1);
  const x = Array.from({ length: d.y.length }, (_, i) => Array.from(d.x.subarray(i * w, i * w + w), (v) => v * scale));
  return finish({ name: scale === 1 ? name : `${name}-x${scale}`, x, y: Array.from(d.y), task: d.task, classes: d.numClasses, rawScale: 0, origin: `generator ${name}${scale === 1 ? '' : `, features x${scale} (raw units)`}` });
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

function finish(d: BenchData): BenchData {
  let m = 0;
  for (const r of d.x) for (const v of r) m = Math.max(m, Math.abs(v));
  return { ...d, rawScale: m };
}

/** The shared folder: NNAUDIT_SHARED, default ../shared beside the checkout. */
export function sharedDir(): string {
  return path.resolve(process.env['NNAUDIT_SHARED'] ?? path.join(fixturesDir(), '..', '..', 'shared'));
}

export function benchDatasets(): { datasets: BenchData[]; skipped: string[] } {
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
  ];
  const skipped = ['digits', 'diabetes'].filter((n) => !datasets.some((d) => d?.name === n));
  return { datasets: datasets.filter((d): d is BenchData => d !== null), skipped };
}
