import { tf } from '../tf.js';
import type { LossName, MetricName } from '../../config/spec-schema.js';
import type { LossFn } from './probe.js';
import { takesLogits } from '../model/logits.js';

/** Keras-semantics per-sample losses (probabilities in, clipped), averaged by the caller. */
export const LOSS_FUNCS: Record<LossName, LossFn> = {
  binaryCrossentropy: (t, p) => tf.metrics.binaryCrossentropy(t, p),
  categoricalCrossentropy: (t, p) => tf.metrics.categoricalCrossentropy(t, p),
  sparseCategoricalCrossentropy: (t, p) => tf.metrics.categoricalCrossentropy(oneHotLike(t, p), p),
  meanSquaredError: (t, p) => tf.metrics.meanSquaredError(t, p),
  meanAbsoluteError: (t, p) => tf.metrics.meanAbsoluteError(t, p),
};

/**
 * The same losses on logits, as PyTorch's CrossEntropyLoss / BCEWithLogitsLoss and Keras' from_logits=True compute
 * them: log-softmax / log-sigmoid of the raw outputs, in the numerically stable form, with no clipping (a probability
 * loss clips at 1e-7, so a confidently wrong row costs at most 16.1 there but its full value here). Per sample;
 * binary cross-entropy is averaged over the output units, as Keras does.
 */
export const LOGIT_LOSS_FUNCS: Record<LossName, LossFn> = {
  binaryCrossentropy: (t, p) => tf.mean(tf.losses.sigmoidCrossEntropy(t, p, undefined, 0, tf.Reduction.NONE), -1),
  categoricalCrossentropy: (t, p) => tf.losses.softmaxCrossEntropy(t, p, undefined, 0, tf.Reduction.NONE),
  sparseCategoricalCrossentropy: (t, p) =>
    tf.losses.softmaxCrossEntropy(oneHotLike(t, p), p, undefined, 0, tf.Reduction.NONE),
  meanSquaredError: LOSS_FUNCS.meanSquaredError,
  meanAbsoluteError: LOSS_FUNCS.meanAbsoluteError,
};

function oneHotLike(t: tf.Tensor, p: tf.Tensor): tf.Tensor {
  return tf.oneHot(tf.cast(tf.reshape(t, [-1]), 'int32'), p.shape[p.shape.length - 1]!);
}

/** The per-sample loss for probes: on probabilities, or on logits. */
export function lossFunction(loss: LossName, fromLogits: boolean): LossFn {
  return (fromLogits ? LOGIT_LOSS_FUNCS : LOSS_FUNCS)[loss];
}

/** What model.compile takes as the loss: tfjs' own by name for probabilities, the logits form as a function. */
export function compileLoss(loss: LossName, fromLogits: boolean): LossName | LossFn {
  return fromLogits && takesLogits(loss) ? LOGIT_LOSS_FUNCS[loss] : loss;
}

/**
 * What model.compile takes as metrics. tfjs' 'accuracy' thresholds a single unit at 0.5 and reads sparse labels only
 * when the loss is its own sparse loss by name: on logits a single unit is positive above 0, and the loss is a
 * function. So on logits 'accuracy' is a function of our own, named `accuracy` (tfjs logs a function metric under
 * its name: 'accuracy' and 'val_accuracy', which the history reader already knows).
 */
export function compileMetrics(
  metrics: readonly MetricName[],
  loss: LossName,
  fromLogits: boolean,
): Array<MetricName | LossFn> {
  if (!fromLogits || !takesLogits(loss)) return [...metrics];
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const accuracy: LossFn = (t, p) =>
    tf.tidy(() => {
      if (p.shape[p.shape.length - 1] === 1)
        return tf.cast(tf.equal(tf.cast(tf.greater(p, 0), 'float32'), t), 'float32').mean(-1);
      const truth = sparse ? tf.cast(tf.reshape(t, [-1]), 'int32') : tf.argMax(t, -1);
      return tf.cast(tf.equal(truth, tf.argMax(p, -1)), 'float32');
    });
  Object.defineProperty(accuracy, 'name', { value: 'accuracy' });
  return metrics.map((m) => (m === 'accuracy' ? accuracy : m));
}

/** The narrow part of tfjs-layers' LayersModel internals that checks target shapes in fit() and evaluate(). */
interface TargetShapeCheck {
  feedOutputShapes?: Array<Array<number | null>>;
  model?: TargetShapeCheck;
}

/**
 * Compiles the model with the audit's loss and metrics. A sparse cross-entropy on logits is a function, and tfjs
 * checks targets against the output shape ([n, classes]) for every loss except its own sparse loss, which it
 * recognises by identity; so class-id targets ([n, 1]) would be refused. The class axis is left unchecked for that
 * loss (the loss itself one-hot encodes the ids), as tfjs does for its own.
 */
export function compileForAudit(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  loss: LossName,
  fromLogits: boolean,
  metrics: readonly MetricName[],
): void {
  model.compile({ optimizer, loss: compileLoss(loss, fromLogits), metrics: compileMetrics(metrics, loss, fromLogits) });
  if (fromLogits && loss === 'sparseCategoricalCrossentropy') {
    // A Sequential compiles and fits through the functional model it wraps.
    const check = model as unknown as TargetShapeCheck;
    for (const m of [check, check.model]) {
      const shapes = m?.feedOutputShapes;
      // A copy: the shape arrays are the output layer's own.
      if (shapes)
        shapes.forEach((s, i) => {
          shapes[i] = [...s.slice(0, -1), null];
        });
    }
  }
}
