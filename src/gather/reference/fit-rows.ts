/**
 * What both linear fits (the classifier in linear-fit.ts, least squares in linear-regression.ts) share: how many rows
 * and features they take, and the standardization of those rows. Plain float64 arithmetic, no tfjs.
 */

/** Rows used for the fit (the first rows of the already shuffled training split). */
export const LINEAR_FIT_MAX_ROWS = 4000;
/** Above this many features the fit is skipped: images need more rows than the budget allows. */
export const LINEAR_FIT_MAX_FEATURES = 1024;
/**
 * rows x (features + 1) x classes x iterations stays under this (each iteration makes two such passes); rows are
 * cut to fit it. Measured at the budget (64-feature digits, 10 classes, 307 rows): 1.3 s under a load average of 24
 * on 2 cores; the 2-30-feature datasets of the accuracy benchmark: 1-265 ms (npm run bench:linear-fit).
 */
export const WORK_BUDGET = 6e7;
/** A fit needs a few rows per feature to say anything about the data rather than memorize it. */
export const MIN_ROWS_PER_FEATURE = 2;

/** Standardized rows (row-major, float64). This and the helpers below are exported for the tests' convergence checks. */
export interface Standardized {
  x: Float64Array;
  n: number;
  d: number;
}

export function standardize(
  x: Float32Array,
  n: number,
  d: number,
  mean: Float64Array,
  std: Float64Array,
): Standardized {
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[r * d + c] = (x[r * d + c]! - mean[c]!) / std[c]!;
  return { x: out, n, d };
}

export function columnStats(x: Float32Array, n: number, d: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c]! += x[r * d + c]! / n;
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) std[c]! += (x[r * d + c]! - mean[c]!) ** 2 / n;
  // A constant column carries no information: dividing by 1 leaves it at 0 after centering.
  for (let c = 0; c < d; c++) std[c] = Math.sqrt(std[c]!) || 1;
  return { mean, std };
}
