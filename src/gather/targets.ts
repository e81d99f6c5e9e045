import { tf } from './tf.js';
import type { LossName } from '../config/spec-schema.js';
import type { Dataset } from './data/dataset.js';
import { DataError } from '../errors.js';
import type { LossFn } from './probe.js';

/** Keras-semantics per-sample losses (probabilities in, clipped), averaged by the caller. */
export const LOSS_FUNCS: Record<LossName, LossFn> = {
  binaryCrossentropy: (t, p) => tf.metrics.binaryCrossentropy(t, p),
  categoricalCrossentropy: (t, p) => tf.metrics.categoricalCrossentropy(t, p),
  sparseCategoricalCrossentropy: (t, p) => tf.metrics.categoricalCrossentropy(
    tf.oneHot(tf.cast(tf.reshape(t, [-1]), 'int32'), p.shape[p.shape.length - 1]!), p),
  meanSquaredError: (t, p) => tf.metrics.meanSquaredError(t, p),
  meanAbsoluteError: (t, p) => tf.metrics.meanAbsoluteError(t, p),
};

/** Encodes labels the way `loss` expects for a model with `outputUnits` outputs. */
export function encodeTargets(d: Dataset, loss: LossName, outputUnits: number): tf.Tensor2D {
  const n = d.y.length;
  const classification = d.task === 'classification';
  const oneHot = (units: number) => {
    const maxLabel = d.y.reduce((a, b) => (b > a ? b : a), 0); // no spread: 200k labels overflow the stack
    if (maxLabel >= units) {
      throw new DataError(`${d.source}: labels go up to class ${maxLabel} but the model's last layer has ${units} units; ` +
        `give it ${maxLabel + 1} units (softmax) or use sparse labels`);
    }
    return tf.tidy(() => tf.oneHot(tf.tensor1d(d.y, 'int32'), units).toFloat() as tf.Tensor2D);
  };
  switch (loss) {
    case 'categoricalCrossentropy':
      if (!classification) throw new DataError(`${d.source}: categoricalCrossentropy needs class labels, but the labels look continuous (set data.task)`);
      return oneHot(outputUnits);
    case 'binaryCrossentropy':
      if (classification && d.numClasses > 2 && outputUnits > 1) return oneHot(outputUnits);
      return tf.tensor2d(d.y, [n, 1]);
    case 'sparseCategoricalCrossentropy':
      if (classification && d.numClasses > outputUnits) {
        // Out-of-range sparse labels train silently to a meaningless result: this is bad input, not a finding.
        throw new DataError(`${d.source}: the labels hold ${d.numClasses} classes but the model's last layer has ${outputUnits} units; ` +
          `give it ${d.numClasses} units (softmax) or check the label column`);
      }
      return tf.tensor2d(d.y, [n, 1]);
    case 'meanSquaredError':
    case 'meanAbsoluteError':
      return classification && outputUnits > 1 ? oneHot(outputUnits) : tf.tensor2d(d.y, [n, 1]);
  }
}

/** Loss of the best constant predictor on these labels: what "learned nothing" scores. */
export function trivialLoss(d: Dataset, loss: LossName, outputUnits: number): number | null {
  if (d.task === 'regression') {
    const mean = d.y.reduce((a, b) => a + b, 0) / d.y.length;
    if (loss === 'meanSquaredError') return d.y.reduce((a, b) => a + (b - mean) ** 2, 0) / d.y.length;
    if (loss === 'meanAbsoluteError') {
      const sorted = [...d.y].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      return d.y.reduce((a, b) => a + Math.abs(b - median), 0) / d.y.length;
    }
    return null;
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

export function classPriors(d: Dataset): number[] {
  const counts = new Array<number>(Math.max(d.numClasses, 1)).fill(0);
  for (const v of d.y) counts[v] = (counts[v] ?? 0) + 1;
  return counts.map((c) => c / d.y.length);
}
