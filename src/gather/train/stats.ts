import type { Histogram, Stats } from '../../artifacts/schema.js';

export const HISTOGRAM_BINS = 30;

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Summary statistics of a typed array; non-finite values are counted, not mixed into the moments. */
export function summarize(values: ArrayLike<number>): Stats {
  let n = 0;
  let nonFinite = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : NaN;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) sq += (v - mean) ** 2;
  }
  return {
    count: values.length,
    mean: finiteOrNull(mean),
    std: finiteOrNull(n ? Math.sqrt(sq / n) : NaN),
    min: finiteOrNull(min),
    max: finiteOrNull(max),
    nonFinite,
  };
}

/** Equal-width histogram over the finite range of `values`. */
export function histogram(values: ArrayLike<number>, stats: Stats, bins = HISTOGRAM_BINS): Histogram | null {
  if (stats.min === null || stats.max === null) return null;
  const lo = stats.min;
  const hi = stats.max === stats.min ? stats.min + 1e-12 : stats.max;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b]!++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

/** JSON-safe number: NaN and +-Infinity become null (JSON has no representation for them). */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
