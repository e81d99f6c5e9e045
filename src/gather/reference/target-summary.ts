import { tf } from '../tf.js';
import type { TargetSummary } from '../../artifacts/schema.js';

/**
 * What the targets the loss sees look like, and what a constant prediction scores on them: the facts the
 * task-setup and underfitting analyzers judge a model against. Plain arithmetic on the encoded target matrix
 * (rows x columns, as fed to the loss), so it is the same whether gather encoded the labels or a caller's
 * own `model.fit` did (the callback).
 */

/** tfjs-layers clips probabilities to [EPS, 1 - EPS] inside its cross-entropies (backend/common epsilon()). */
const EPS = 1e-7;
/** Distinct values are counted up to this many; beyond it the targets are real-valued for every purpose here. */
const MAX_DISTINCT = 1000;
/** Per-unit means and class priors are kept for at most this many columns/classes, so artifacts stay small. */
const MAX_LISTED = 256;

/** Keras' default Huber delta (tf.keras.losses.Huber). */
const HUBER_DELTA = 1;

function column(values: ArrayLike<number>, cols: number, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < values.length; i += cols) out.push(values[i]!);
  return out;
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

function medianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Binary cross-entropy of the best constant probability p in [EPS, 1-EPS] for targets with mean m (linear in y). */
function constantBce(m: number): number {
  const f = (p: number) => -(m * Math.log(p) + (1 - m) * Math.log(1 - p));
  // The loss is linear in each target, so only the mean matters; outside [0, 1] the optimum sits at a clip edge.
  const p = Math.min(1 - EPS, Math.max(EPS, m));
  return Math.min(f(p), f(EPS), f(1 - EPS));
}

function huber(v: number[], c: number): number {
  return mean(
    v.map((y) => {
      const e = Math.abs(y - c);
      return e <= HUBER_DELTA ? 0.5 * e * e : HUBER_DELTA * (e - 0.5 * HUBER_DELTA);
    }),
  );
}

/** Huber loss is convex in the constant: golden-section search between the median and the mean brackets it. */
function constantHuber(v: number[]): number {
  let lo = Math.min(medianOf(v), mean(v));
  let hi = Math.max(medianOf(v), mean(v));
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60 && hi - lo > 1e-9; i++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (huber(v, a) < huber(v, b)) hi = b;
    else lo = a;
  }
  return huber(v, (lo + hi) / 2);
}

function kindOf(values: ArrayLike<number>, cols: number, rows: number): TargetSummary['kind'] {
  let integer = true;
  let binary = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) integer = false;
    if (v !== 0 && v !== 1) binary = false;
  }
  if (!integer) return 'real';
  if (cols === 1 || !binary) return 'integer';
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += values[r * cols + c]!;
    if (s !== 1) return 'multi-hot';
  }
  return 'one-hot';
}

/**
 * Summarizes an encoded target matrix for `loss`. `chanceAccuracy` is what a constant prediction scores on the
 * accuracy tfjs reports for this loss and head: binary accuracy per unit (one output unit, or binaryCrossentropy),
 * sparse categorical accuracy, or categorical (argmax) accuracy.
 *
 * @example
 *   summarizeTargets(Float32Array.from([0, 1, 2, 1]), 1, 'binaryCrossentropy').constantLoss // < 0: labels above 1
 */
export function summarizeTargets(values: ArrayLike<number>, cols: number, loss: string | null): TargetSummary {
  const rows = Math.floor(values.length / Math.max(1, cols));
  const kind = kindOf(values, cols, rows);
  const distinctSet = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length && distinctSet.size <= MAX_DISTINCT; i++) distinctSet.add(values[i]!);
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const columns = Array.from({ length: cols }, (_, c) => column(values, cols, c));
  const unitMeans = columns.map(mean);
  // Class priors: frequency of each integer id (one column), or of each argmax column (one-hot); null otherwise.
  let classPriors: number[] | null = null;
  if (kind === 'integer' && cols === 1 && min >= 0 && max < MAX_LISTED) {
    classPriors = new Array<number>(max + 1).fill(0);
    for (const v of columns[0]!) classPriors[v]! += 1 / rows;
  } else if (kind === 'one-hot') {
    classPriors = unitMeans;
  }
  const { constantLoss, constantPredictor } = constantBaseline(columns, unitMeans, classPriors, loss);
  return {
    kind,
    rows,
    columns: cols,
    distinct: distinctSet.size > MAX_DISTINCT ? null : distinctSet.size,
    min: rows ? min : null,
    max: rows ? max : null,
    unitMeans: unitMeans.slice(0, MAX_LISTED),
    classPriors: classPriors ? classPriors.slice(0, MAX_LISTED) : null,
    constantLoss: constantLoss !== null && Number.isFinite(constantLoss) ? constantLoss : null,
    constantPredictor,
    chanceAccuracy: chanceAccuracy(columns, classPriors, loss, kind),
  };
}

function constantBaseline(
  columns: number[][],
  unitMeans: number[],
  priors: number[] | null,
  loss: string | null,
): { constantLoss: number | null; constantPredictor: string } {
  switch (loss) {
    case 'meanSquaredError':
      return {
        constantLoss: mean(columns.map((v, c) => mean(v.map((y) => (y - unitMeans[c]!) ** 2)))),
        constantPredictor: 'the mean of each output',
      };
    case 'meanAbsoluteError': {
      const med = columns.map(medianOf);
      return {
        constantLoss: mean(columns.map((v, c) => mean(v.map((y) => Math.abs(y - med[c]!))))),
        constantPredictor: 'the median of each output',
      };
    }
    case 'huber':
    case 'huberLoss':
      return {
        constantLoss: mean(columns.map(constantHuber)),
        constantPredictor: 'the Huber-optimal constant of each output (delta 1)',
      };
    case 'binaryCrossentropy':
      return {
        constantLoss: mean(unitMeans.map(constantBce)),
        constantPredictor:
          columns.length > 1 ? "each unit's prior (mean per-unit binary entropy)" : 'the prior of class 1',
      };
    case 'categoricalCrossentropy': {
      // -sum_k m_k log p_k over the simplex: p = m / sum(m) when the means are non-negative.
      const s = unitMeans.reduce((a, b) => a + b, 0);
      const loss =
        s > 0 && unitMeans.every((m) => m >= 0)
          ? -unitMeans.reduce((a, m) => a + (m > 0 ? m * Math.log(Math.max(EPS, m / s)) : 0), 0)
          : null;
      return { constantLoss: loss, constantPredictor: 'the class priors' };
    }
    case 'sparseCategoricalCrossentropy':
      return {
        constantLoss: priors ? -priors.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0) : null,
        constantPredictor: 'the class priors',
      };
    default:
      return { constantLoss: null, constantPredictor: `no constant-predictor baseline for loss ${loss ?? '(none)'}` };
  }
}

function chanceAccuracy(
  columns: number[][],
  priors: number[] | null,
  loss: string | null,
  kind: TargetSummary['kind'],
): number | null {
  if (loss === null || columns.length === 0) return null;
  const crossEntropy = /Crossentropy$/.test(loss);
  if (columns.length === 1 || loss === 'binaryCrossentropy') {
    // Binary accuracy compares each target with (p > 0.5): a constant predicts all 0 or all 1 per unit.
    if (kind === 'real' && !crossEntropy) return null;
    return mean(
      columns.map((v) => Math.max(mean(v.map((y) => (y === 0 ? 1 : 0))), mean(v.map((y) => (y === 1 ? 1 : 0))))),
    );
  }
  if (loss === 'sparseCategoricalCrossentropy') return priors ? Math.max(...priors) : null;
  // Categorical accuracy: argmax of a constant prediction is one fixed column.
  // Categorical accuracy: the argmax of a constant prediction is one fixed column; tfjs ties go to the first.
  if (kind === 'one-hot' || kind === 'multi-hot')
    return Math.max(...columns.map((v, c) => mean(v.map((_, r) => (isArgmax(columns, r, c) ? 1 : 0)))));
  return null;
}

function isArgmax(columns: number[][], row: number, c: number): boolean {
  const v = columns[c]![row]!;
  for (let k = 0; k < columns.length; k++)
    if (columns[k]![row]! > v || (k < c && columns[k]![row]! === v)) return false;
  return true;
}

/** summarizeTargets on a target tensor (rank 1 = one column). Reads the values once; disposes nothing of the caller's. */
export function summarizeTargetTensor(y: tf.Tensor, loss: string | null): TargetSummary {
  const cols = y.rank > 1 ? y.shape[y.rank - 1]! : 1;
  return summarizeTargets(y.dataSync(), cols, loss);
}
