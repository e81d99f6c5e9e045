import type { LinearFit } from '../../artifacts/schema.js';
import type { LossName } from '../../config/spec-schema.js';
import { type Dataset, rowCount, rowWidth } from '../data/dataset.js';
import {
  columnStats,
  LINEAR_FIT_MAX_FEATURES,
  LINEAR_FIT_MAX_ROWS,
  MIN_ROWS_PER_FEATURE,
  standardize,
  type Standardized,
  WORK_BUDGET,
} from './fit-rows.js';
import { fitLinearRegression } from './linear-regression.js';

/**
 * The linear baseline gather (and nnauditCallback) fits to the training rows: a classifier for classification
 * (below), least squares for regression (further down), one entry point for both (fitLinearBaseline).
 *
 * A linear classifier fitted to the training rows: the accuracy ceiling of any network with no non-linearity
 * (a stack of linear layers under a softmax/sigmoid link is exactly this model class), and a second baseline
 * between chance and a network. Plain arithmetic in float64, no tfjs: the same rows give the same numbers on every
 * backend and every run (fixed iteration count, zero start, no randomness).
 *
 * The model is multinomial logistic regression (softmax over one score per class; for two classes it is
 * logistic regression) on features standardized with the fit rows' statistics, so a raw-unit feature
 * conditions the fit no worse than a standardized one (a linear model can undo any per-feature affine
 * transform, so the ceiling is the same). A small L2 penalty keeps separable data from driving the weights
 * to infinity. It is minimized by Nesterov-accelerated gradient descent with a step from the curvature bound,
 * restarting the momentum when the loss rises.
 */

/** Enough for the accuracy to settle: on spirals, moons, blobs, iris, breast cancer and wine the training accuracy at 300 steps is within 0.001 of 3000 steps'. */
const ITERATIONS = 300;
/** Stop early once the gradient is this small: the weights no longer move in any digit that matters. */
const GRADIENT_TOLERANCE = 1e-7;
/** L2 on the weights (not the biases): small enough not to cost accuracy, large enough to bound separable fits. */
const L2 = 1e-4;

export const LINEAR_FIT_METHOD = `multinomial logistic regression on standardized features, L2 ${L2}, ${ITERATIONS} Nesterov steps from zero`;

/** Class scores of every row: W is (d + 1) x k, the last row the biases. */
function scores(s: Standardized, w: Float64Array, k: number): Float64Array {
  const { x, n, d } = s;
  const z = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) z[r * k + j] = w[d * k + j]!;
    for (let c = 0; c < d; c++) {
      const v = x[r * d + c]!;
      if (v === 0) continue;
      for (let j = 0; j < k; j++) z[r * k + j]! += v * w[c * k + j]!;
    }
  }
  return z;
}

/** Mean cross-entropy (+ L2) and its gradient at w; the scores are turned into probabilities in place. */
export function lossAndGradient(
  s: Standardized,
  y: Int32Array,
  w: Float64Array,
  k: number,
  grad: Float64Array,
): number {
  const { x, n, d } = s;
  const p = scores(s, w, k);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, p[r * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(p[r * k + j]! - max);
      p[r * k + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) p[r * k + j]! /= sum;
    loss -= Math.log(Math.max(p[r * k + y[r]!]!, 1e-300)) / n;
    p[r * k + y[r]!]! -= 1;
  }
  grad.fill(0);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) {
      const v = x[r * d + c]! / n;
      if (v === 0) continue;
      for (let j = 0; j < k; j++) grad[c * k + j]! += v * p[r * k + j]!;
    }
    for (let j = 0; j < k; j++) grad[d * k + j]! += p[r * k + j]! / n;
  }
  for (let i = 0; i < d * k; i++) {
    grad[i]! += L2 * w[i]!;
    loss += 0.5 * L2 * w[i]! * w[i]!;
  }
  return loss;
}

/**
 * Largest eigenvalue of [X 1]^T [X 1] / n by power iteration from a fixed start. The softmax cross-entropy's
 * Hessian is at most half of it (per class), which bounds the step that keeps gradient descent stable.
 */
function curvature(s: Standardized): number {
  const { x, n, d } = s;
  let v = new Float64Array(d + 1).fill(1 / Math.sqrt(d + 1));
  let lambda = 1;
  for (let it = 0; it < 50; it++) {
    const next = new Float64Array(d + 1);
    for (let r = 0; r < n; r++) {
      let dot = v[d]!;
      for (let c = 0; c < d; c++) dot += x[r * d + c]! * v[c]!;
      for (let c = 0; c < d; c++) next[c]! += (x[r * d + c]! * dot) / n;
      next[d]! += dot / n;
    }
    const norm = Math.sqrt(next.reduce((a, b) => a + b * b, 0));
    if (!(norm > 0)) break;
    lambda = norm;
    v = next.map((e) => e / norm);
  }
  return lambda;
}

export function accuracy(s: Standardized, y: Int32Array, w: Float64Array, k: number): number {
  const z = scores(s, w, k);
  let right = 0;
  for (let r = 0; r < s.n; r++) {
    // Ties go to the first class, as tfjs' argmax does.
    let best = 0;
    for (let j = 1; j < k; j++) if (z[r * k + j]! > z[r * k + best]!) best = j;
    if (best === y[r]) right++;
  }
  return s.n ? right / s.n : NaN;
}

function skipped(reason: string, rows: number, features: number, classes: number): LinearFit {
  return {
    method: LINEAR_FIT_METHOD,
    task: 'classification',
    rows,
    features,
    classes,
    validationRows: 0,
    trainAccuracy: null,
    validationAccuracy: null,
    trainLoss: null,
    ms: 0,
    skipped: reason,
  };
}

/** Minimizes the penalized mean cross-entropy over W ((d + 1) x k, biases last) from W = 0. */
export function trainSoftmax(xs: Standardized, ys: Int32Array, k: number, iterations = ITERATIONS): Float64Array {
  const p = (xs.d + 1) * k;
  // Step 1/L with L = lambda_max / 2 + L2, with a margin because power iteration approaches lambda_max from below.
  const step = 1 / (0.5 * curvature(xs) * 1.1 + L2);
  let w = new Float64Array(p);
  let prev = new Float64Array(p);
  const grad = new Float64Array(p);
  let t = 1;
  let lastLoss = Infinity;
  for (let it = 0; it < iterations; it++) {
    // Nesterov: the gradient is taken at the look-ahead point v = w + momentum (w - prev).
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const momentum = (t - 1) / tNext;
    const v = w.map((wi, i) => wi + momentum * (wi - prev[i]!));
    const loss = lossAndGradient(xs, ys, v, k, grad);
    if (Math.sqrt(grad.reduce((a, g) => a + g * g, 0)) < GRADIENT_TOLERANCE) {
      w = v;
      break;
    }
    // O'Donoghue & Candes' adaptive restart: when the loss rises, drop the momentum and retry from w.
    if (loss > lastLoss) {
      t = 1;
      prev = w.slice();
      lastLoss = Infinity;
      continue;
    }
    lastLoss = loss;
    prev = w;
    w = v.map((vi, i) => vi - step * grad[i]!);
    t = tNext;
  }
  return w;
}

/**
 * Fits the linear classifier on `train` (capped rows) and scores it on `train` and `validation`. Returns a
 * `skipped` record, with the reason, when it does not apply (regression, multi-label) or would cost too much.
 *
 * @example
 *   fitLinearClassifier(prepared.train, prepared.validation).validationAccuracy // 0.52 on 3-class spirals
 */
export function fitLinearClassifier(train: Dataset, validation: Dataset | null): LinearFit {
  const t0 = performance.now();
  const d = rowWidth(train);
  const k = Math.max(2, train.numClasses);
  const total = rowCount(train);
  if (train.task !== 'classification') return skipped('regression targets: no classifier to fit', 0, d, 0);
  if (train.multiLabel || (train.yWidth ?? 1) !== 1)
    return skipped('multi-label targets: a linear model per label is not fitted', 0, d, train.numClasses);
  if (d > LINEAR_FIT_MAX_FEATURES)
    return skipped(`${d} features is more than the ${LINEAR_FIT_MAX_FEATURES} a linear fit is made for`, 0, d, k);
  const n = Math.min(total, LINEAR_FIT_MAX_ROWS, Math.floor(WORK_BUDGET / ((d + 1) * k * ITERATIONS)));
  if (n < MIN_ROWS_PER_FEATURE * (d + 1) || n < 10) {
    return skipped(
      `${n} rows (within the budget for ${d} features x ${k} classes) are too few for a linear fit that says something about the data`,
      n,
      d,
      k,
    );
  }
  const { mean, std } = columnStats(train.x, n, d);
  const xs = standardize(train.x, n, d, mean, std);
  const ys = Int32Array.from(train.y.subarray(0, n));
  const w = trainSoftmax(xs, ys, k);
  const grad = new Float64Array(w.length);
  const trainLoss = lossAndGradient(xs, ys, w, k, grad);
  const trainAccuracy = accuracy(xs, ys, w, k);
  let validationAccuracy: number | null = null;
  let validationRows = 0;
  if (validation && rowCount(validation) > 0) {
    validationRows = Math.min(rowCount(validation), LINEAR_FIT_MAX_ROWS);
    const xv = standardize(validation.x, validationRows, d, mean, std);
    validationAccuracy = accuracy(xv, Int32Array.from(validation.y.subarray(0, validationRows)), w, k);
  }
  return {
    method: LINEAR_FIT_METHOD,
    task: 'classification',
    rows: n,
    features: d,
    classes: k,
    validationRows,
    trainAccuracy,
    validationAccuracy,
    trainLoss: Number.isFinite(trainLoss) ? trainLoss : null,
    ms: performance.now() - t0,
    skipped: null,
  };
}

/*
 * Regression: ordinary least squares with a small ridge, in closed form. A stack of linear layers under a linear
 * output is exactly this model class, so the fit's loss is the floor such a network can reach on these rows (in
 * MSE; in MAE the least-squares line is one linear model, not the best one, so its MAE is an upper bound of the
 * floor). Features are standardized with the fit rows' statistics and the targets centered, so the intercept is the
 * target mean and the normal equations (X^T X / n + ridge I) W = X^T Y / n are well scaled; Cholesky solves them.
 * Float64, no iteration and no randomness: the same rows give the same numbers on every run.
 */

/**
 * The linear baseline for these rows, whatever the task: logistic regression for a classifier, least squares for
 * regression (scored in `loss`). gather and nnauditCallback both call this, so both record the same fit.
 * `rowsFrom` says where the rows came from, for the report.
 */
export function fitLinearBaseline(
  train: Dataset,
  validation: Dataset | null,
  loss: LossName,
  rowsFrom = 'training rows',
): LinearFit {
  const fit =
    train.task === 'regression' ? fitLinearRegression(train, validation, loss) : fitLinearClassifier(train, validation);
  return { ...fit, rowsFrom };
}
