import { tf } from '../tf.js';
import type { LossName } from '../../config/spec-schema.js';
import { type Dataset, maxOf, rowCount, targetWidth } from '../data/dataset.js';

/**
 * Encodes labels the way `loss` expects for a model with `outputUnits` outputs. Call checkTargetsFit first: this
 * assumes the labels fit.
 */
export function encodeTargets(d: Dataset, loss: LossName, outputUnits: number): tf.Tensor2D {
  const n = rowCount(d);
  const k = targetWidth(d);
  if (k > 1) return tf.tensor2d(d.y, [n, k]);
  const oneHot = () => tf.tidy(() => tf.oneHot(tf.tensor1d(d.y, 'int32'), outputUnits).toFloat() as tf.Tensor2D);
  const classification = d.task === 'classification';
  switch (loss) {
    case 'categoricalCrossentropy':
      return oneHot();
    case 'binaryCrossentropy':
    case 'meanSquaredError':
    case 'meanAbsoluteError':
      return classification && outputUnits > 1 ? oneHot() : tf.tensor2d(d.y, [n, 1]);
    case 'sparseCategoricalCrossentropy':
      return tf.tensor2d(d.y, [n, 1]);
  }
}

/** Loss of the best constant predictor on these labels: what "learned nothing" scores (averaged over targets). */
export function trivialLoss(d: Dataset, loss: LossName, outputUnits: number): number | null {
  const k = targetWidth(d);
  if (d.task === 'regression' || d.multiLabel) {
    const perColumn = columns(d).map((col) => {
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      if (loss === 'meanSquaredError') return col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      if (loss === 'meanAbsoluteError') {
        const median = [...col].sort((a, b) => a - b)[Math.floor(col.length / 2)]!;
        return col.reduce((a, b) => a + Math.abs(b - median), 0) / col.length;
      }
      if (loss === 'binaryCrossentropy' && d.multiLabel)
        return mean > 0 && mean < 1 ? -(mean * Math.log(mean) + (1 - mean) * Math.log(1 - mean)) : 0;
      return null;
    });
    return perColumn.some((v) => v === null) || k === 0 ? null : (perColumn as number[]).reduce((a, b) => a + b, 0) / k;
  }
  const priors = classPriors(d);
  const entropy = -priors.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
  if (loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') return entropy;
  if (loss === 'binaryCrossentropy') return outputUnits > 1 ? entropy / outputUnits : entropy;
  if (loss === 'meanSquaredError' && outputUnits > 1) return (1 - priors.reduce((a, p) => a + p * p, 0)) / outputUnits;
  if (loss === 'meanSquaredError') {
    const p1 = priors[1] ?? 0;
    return p1 * (1 - p1);
  }
  return null;
}

/** Accuracy of the best constant prediction: the most frequent class, or per label the more frequent value. */
export function chanceAccuracy(d: Dataset): number | null {
  if (d.task !== 'classification') return null;
  if (d.multiLabel) {
    const cols = columns(d);
    return (
      cols.reduce((a, col) => {
        const p = col.reduce((s, v) => s + v, 0) / col.length;
        return a + Math.max(p, 1 - p);
      }, 0) / cols.length
    );
  }
  return maxOf(classPriors(d));
}

export function classPriors(d: Dataset): number[] {
  const counts = new Array<number>(Math.max(d.numClasses, 1)).fill(0);
  for (const v of d.y) counts[v] = (counts[v] ?? 0) + 1;
  return counts.map((c) => c / d.y.length);
}

function columns(d: Dataset): Float32Array[] {
  const k = targetWidth(d);
  const n = rowCount(d);
  return Array.from({ length: k }, (_, c) => Float32Array.from({ length: n }, (_, r) => d.y[r * k + c]!));
}
