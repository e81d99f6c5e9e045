import type { tf } from '../tf.js';
import type { LossName } from '../../config/spec-schema.js';
import { SpecError } from '../../errors.js';
import { activationName } from './model-graph.js';

const CROSS_ENTROPY: ReadonlySet<LossName> = new Set([
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
]);

/** Whether a loss can take logits at all: only the cross-entropies apply a link (softmax/sigmoid) to the outputs. */
export function takesLogits(loss: LossName): boolean {
  return CROSS_ENTROPY.has(loss);
}

/** The decision threshold of a single output unit: probability 0.5, or logit 0. */
export function positiveThreshold(fromLogits: boolean): number {
  return fromLogits ? 0 : 0.5;
}

/** Who said the loss takes logits: the spec or flag, the saved file's loss, the graph's last layer, or nobody. */
export type FromLogitsSource = 'stated' | 'saved' | 'detected' | 'default';

export interface FromLogits {
  fromLogits: boolean;
  source: FromLogitsSource;
}

/**
 * The activation the model's output passes through last: the last layer's own, or that of the nearest earlier layer
 * when the last ones have none (Dropout, Flatten, Reshape). null when no layer names one.
 */
export function graphOutputActivation(model: tf.LayersModel): string | null {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const act = activationName(model.layers[i]!);
    if (act !== null) return act;
  }
  return null;
}

/**
 * Whether the loss is computed from logits. What the user states wins, then what the saved file's loss says (Keras
 * from_logits); a model built from a spec takes probabilities unless told; a loaded classifier whose graph ends
 * without softmax/sigmoid (a linear output: what CrossEntropyLoss and BCEWithLogitsLoss train, and every PyTorch
 * export) is a logits model. A stated logits loss on a graph that already ends in softmax/sigmoid is kept as stated:
 * that double softmax is a bug to report (output-activation does), not to fix silently.
 */
export function decideFromLogits(o: {
  stated?: boolean | undefined;
  saved?: boolean | undefined;
  loss: LossName;
  outputActivation: string | null;
  built: boolean;
}): FromLogits {
  if (!takesLogits(o.loss)) {
    if (o.stated === true)
      throw new SpecError(
        `fromLogits: ${o.loss} does not take logits (only the cross-entropy losses do): remove fromLogits (--from-logits)`,
      );
    return { fromLogits: false, source: 'default' };
  }
  if (o.stated !== undefined) return { fromLogits: o.stated, source: 'stated' };
  if (o.saved !== undefined) return { fromLogits: o.saved, source: 'saved' };
  if (o.built) return { fromLogits: false, source: 'default' };
  return { fromLogits: o.outputActivation === null || o.outputActivation === 'linear', source: 'detected' };
}
