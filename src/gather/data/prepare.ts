import type { DataSpec } from '../../config/spec-schema.js';
import { createRng, permutation } from '../../util/random.js';
import { type Dataset, rowCount, rowWidth, takeRows } from './dataset.js';
import { encodeCategoricals } from './categorical.js';
import { DataError } from '../../errors.js';

export { openDataset } from './sources/index.js';

export interface PreparedData {
  train: Dataset;
  validation: Dataset | null;
  probe: Dataset;
  /** Summary of the raw (pre-normalization) features: lets analyzers spot unnormalized inputs. */
  featureRange: { min: number; max: number; meanAbs: number };
  normalize: DataSpec['normalize'];
}

/**
 * Which rows of n are validation rows and which training rows, in the order they are used: a seeded shuffle, capped at
 * `limit`, whose first share is the validation split. One place, so that a caller that must know the split before
 * an audit (the fault benchmark mutates only the training rows) gets the same one.
 */
export function splitRows(
  n: number,
  validationSplit: number,
  seed: number,
  limit?: number,
): { validation: number[]; train: number[] } {
  const order = permutation(n, createRng(seed + 17)).slice(0, limit ?? n);
  const nVal = validationSplit > 0 ? Math.max(1, Math.round(order.length * validationSplit)) : 0;
  return { validation: order.slice(0, nVal), train: order.slice(nVal) };
}

/**
 * Shuffles (seeded), caps, splits into train/validation, encodes categorical columns with the training split's
 * categories, normalizes with training statistics, picks the probe.
 */
export function prepareData(d: Dataset, spec: DataSpec, validationSplit: number, seed: number): PreparedData {
  const n = rowCount(d);
  if (n < 2) throw new DataError(`${d.source}: needs at least 2 rows, found ${n}`);
  const rows = splitRows(n, validationSplit, seed, spec.limit);
  if (rows.train.length === 0) {
    // tfjs would fail later with "Pass at least one tensor to concat": say which setting took every row.
    throw new DataError(
      `${d.source}: validationSplit ${validationSplit} leaves 0 of ${rows.validation.length} rows for training ` +
        `(${rows.validation.length} go to validation); lower validationSplit or give more rows`,
    );
  }
  let train = takeRows(d, rows.train);
  let validation = rows.validation.length > 0 ? takeRows(d, rows.validation) : null;
  if (d.categorical?.length) [train, validation] = encodeCategoricals(train, validation);
  const featureRange = rangeOf(train.x);
  if (spec.normalize !== 'none') {
    const stats = columnStats(train);
    for (const part of [train, validation]) if (part) applyNormalization(part, stats, spec.normalize);
  }
  const probeSource = validation !== null && rowCount(validation) >= Math.min(spec.probeSize, 32) ? validation : train;
  const probeN = Math.min(spec.probeSize, rowCount(probeSource));
  const probe = takeRows(
    probeSource,
    Array.from({ length: probeN }, (_, i) => i),
  );
  return { train, validation, probe, featureRange, normalize: spec.normalize };
}

interface ColumnStats {
  mean: Float64Array;
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

function columnStats(d: Dataset): ColumnStats {
  const w = rowWidth(d);
  const n = rowCount(d);
  const s: ColumnStats = {
    mean: new Float64Array(w),
    std: new Float64Array(w),
    min: new Float64Array(w).fill(Infinity),
    max: new Float64Array(w).fill(-Infinity),
  };
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < w; c++) {
      const v = d.x[r * w + c]!;
      s.mean[c]! += v / n;
      if (v < s.min[c]!) s.min[c] = v;
      if (v > s.max[c]!) s.max[c] = v;
    }
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < w; c++) s.std[c]! += (d.x[r * w + c]! - s.mean[c]!) ** 2 / n;
  for (let c = 0; c < w; c++) s.std[c] = Math.sqrt(s.std[c]!);
  return s;
}

function applyNormalization(d: Dataset, s: ColumnStats, how: 'standardize' | 'minmax'): void {
  const w = rowWidth(d);
  for (let i = 0; i < d.x.length; i++) {
    const c = i % w;
    d.x[i] =
      how === 'standardize'
        ? (d.x[i]! - s.mean[c]!) / (s.std[c]! || 1)
        : (d.x[i]! - s.min[c]!) / (s.max[c]! - s.min[c]! || 1);
  }
}

function rangeOf(x: Float32Array): PreparedData['featureRange'] {
  let min = Infinity;
  let max = -Infinity;
  let sumAbs = 0;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
    sumAbs += Math.abs(v);
  }
  return { min, max, meanAbs: x.length ? sumAbs / x.length : 0 };
}
