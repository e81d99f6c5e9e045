import type { LinearFit } from '../../artifacts/schema.js';
import type { LossName } from '../../config/spec-schema.js';
import { type Dataset, rowCount, rowWidth, targetWidth } from '../data/dataset.js';
import {
  columnStats,
  LINEAR_FIT_MAX_FEATURES,
  LINEAR_FIT_MAX_ROWS,
  MIN_ROWS_PER_FEATURE,
  standardize,
  type Standardized,
  WORK_BUDGET,
} from './fit-rows.js';
import { trivialLoss } from './targets.js';

/**
 * The linear baseline for regression: least squares on standardized features, scored in the network's own loss
 * (MSE or MAE). In MAE the least-squares line is one linear model, not the best one, so its MAE is an upper bound
 * of the linear floor.
 */

/** Ridge on standardized features (X^T X / n has a unit diagonal): keeps collinear or constant columns solvable, far below any real signal. */
const RIDGE = 1e-6;
/** Losses the least-squares fit is scored in: the regression losses a network can be given (LOSSES in the spec). */
const REGRESSION_LOSSES: ReadonlySet<LossName> = new Set(['meanSquaredError', 'meanAbsoluteError']);

export const LINEAR_REGRESSION_METHOD = `least squares on standardized features, ridge ${RIDGE}, closed form (Cholesky)`;

function skippedRegression(reason: string, rows: number, features: number, targets: number, loss: LossName): LinearFit {
  return {
    method: LINEAR_REGRESSION_METHOD,
    task: 'regression',
    rows,
    features,
    classes: 0,
    targets,
    validationRows: 0,
    trainAccuracy: null,
    validationAccuracy: null,
    trainLoss: null,
    loss,
    validationLoss: null,
    constantLoss: null,
    ms: 0,
    skipped: reason,
  };
}

/** Lower-triangular L with L L^T = a (a is m x m, symmetric positive definite, row-major); null when it is not. */
export function cholesky(a: Float64Array, m: number): Float64Array | null {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * m + j]!;
      for (let p = 0; p < j; p++) sum -= l[i * m + p]! * l[j * m + p]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * m + i] = Math.sqrt(sum);
      } else {
        l[i * m + j] = sum / l[j * m + j]!;
      }
    }
  }
  return l;
}

/** Solves L L^T w = b in place of a copy of b (b is m x k, row-major): forward, then back substitution, per column. */
function choleskySolve(l: Float64Array, m: number, b: Float64Array, k: number): Float64Array {
  const w = b.slice();
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) {
      let sum = w[i * k + j]!;
      for (let p = 0; p < i; p++) sum -= l[i * m + p]! * w[p * k + j]!;
      w[i * k + j] = sum / l[i * m + i]!;
    }
    for (let i = m - 1; i >= 0; i--) {
      let sum = w[i * k + j]!;
      for (let p = i + 1; p < m; p++) sum -= l[p * m + i]! * w[p * k + j]!;
      w[i * k + j] = sum / l[i * m + i]!;
    }
  }
  return w;
}

/** Weights (d x k) and intercepts (k) of the ridge least-squares fit of y (n x k) on standardized rows. */
export function solveLeastSquares(
  s: Standardized,
  y: Float32Array,
  k: number,
): { w: Float64Array; intercept: Float64Array } | null {
  const { x, n, d } = s;
  const intercept = new Float64Array(k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) intercept[j]! += y[r * k + j]! / n;
  const gram = new Float64Array(d * d);
  const xty = new Float64Array(d * k);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let a = 0; a < d; a++) {
      const v = x[row + a]! / n;
      if (v === 0) continue;
      // Only the lower triangle: the Gram matrix is symmetric.
      for (let b = 0; b <= a; b++) gram[a * d + b]! += v * x[row + b]!;
      for (let j = 0; j < k; j++) xty[a * k + j]! += v * (y[r * k + j]! - intercept[j]!);
    }
  }
  for (let a = 0; a < d; a++) {
    gram[a * d + a]! += RIDGE;
    for (let b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b]!;
  }
  const l = cholesky(gram, d);
  return l ? { w: choleskySolve(l, d, xty, k), intercept } : null;
}

/** The fit's loss on standardized rows against targets y (n x k): the mean over rows and targets, as tfjs' losses average. */
export function regressionLoss(
  s: Standardized,
  y: Float32Array,
  k: number,
  fit: { w: Float64Array; intercept: Float64Array },
  loss: LossName,
): number {
  const { x, n, d } = s;
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      let pred = fit.intercept[j]!;
      for (let c = 0; c < d; c++) pred += x[r * d + c]! * fit.w[c * k + j]!;
      const e = pred - y[r * k + j]!;
      total += loss === 'meanAbsoluteError' ? Math.abs(e) : e * e;
    }
  }
  return n * k ? total / (n * k) : NaN;
}

/**
 * Fits least squares to `train` (capped rows) and scores it in the network's `loss` on `train` and `validation`.
 * Returns a `skipped` record, with the reason, when it does not apply (a loss that is not a regression loss) or
 * would cost too much.
 *
 * @example
 *   fitLinearRegression(prepared.train, prepared.validation, 'meanSquaredError').validationLoss // 0.21 on sine
 */
export function fitLinearRegression(train: Dataset, validation: Dataset | null, loss: LossName): LinearFit {
  const t0 = performance.now();
  const d = rowWidth(train);
  const k = targetWidth(train);
  if (!REGRESSION_LOSSES.has(loss))
    return skippedRegression(
      `loss ${loss}: a least-squares baseline is scored in meanSquaredError or meanAbsoluteError only`,
      0,
      d,
      k,
      loss,
    );
  if (d > LINEAR_FIT_MAX_FEATURES)
    return skippedRegression(
      `${d} features is more than the ${LINEAR_FIT_MAX_FEATURES} a linear fit is made for`,
      0,
      d,
      k,
      loss,
    );
  // The Gram matrix costs rows x features^2 / 2 and X^T Y rows x features x targets; Cholesky features^3 / 3. Under the
  // classifier's budget: 0.2-0.9 ms on sine and diabetes, 89-91 ms at 200-300 features (npm run bench:linear-fit, load 4 on 2 cores).
  const n = Math.min(rowCount(train), LINEAR_FIT_MAX_ROWS, Math.floor(WORK_BUDGET / ((d + 1) * (d + 1 + k))));
  if (n < MIN_ROWS_PER_FEATURE * (d + 1) || n < 10) {
    return skippedRegression(
      `${n} rows (within the budget for ${d} features x ${k} targets) are too few for a linear fit that says something about the data`,
      n,
      d,
      k,
      loss,
    );
  }
  const { mean, std } = columnStats(train.x, n, d);
  const xs = standardize(train.x, n, d, mean, std);
  const ys = train.y.subarray(0, n * k);
  const fit = solveLeastSquares(xs, ys, k);
  if (!fit)
    return skippedRegression('the normal equations are not positive definite (non-finite features?)', n, d, k, loss);
  const trainLoss = regressionLoss(xs, ys, k, fit, loss);
  const constant = trivialLoss({ ...train, x: train.x.subarray(0, n * d), y: ys }, loss, k);
  let validationLoss: number | null = null;
  let validationRows = 0;
  if (validation && rowCount(validation) > 0) {
    validationRows = Math.min(rowCount(validation), LINEAR_FIT_MAX_ROWS);
    const xv = standardize(validation.x, validationRows, d, mean, std);
    validationLoss = regressionLoss(xv, validation.y.subarray(0, validationRows * k), k, fit, loss);
  }
  const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
  return {
    method: LINEAR_REGRESSION_METHOD,
    task: 'regression',
    rows: n,
    features: d,
    classes: 0,
    targets: k,
    validationRows,
    trainAccuracy: null,
    validationAccuracy: null,
    trainLoss: finite(trainLoss),
    loss,
    validationLoss: finite(validationLoss),
    constantLoss: finite(constant),
    ms: performance.now() - t0,
    skipped: null,
  };
}
