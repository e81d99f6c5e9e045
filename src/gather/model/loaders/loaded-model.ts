import type { tf } from '../../tf.js';
import type { LossName, MetricName, OptimizerSpec } from '../../../config/spec-schema.js';

/** What every model-format loader returns: the model, the loss and optimizer it was compiled with, where it came from. */
export interface LoadedModel {
  model: tf.LayersModel;
  /** From the file's training/compile config, when present. */
  training: { loss?: LossName; optimizer?: OptimizerSpec; rawLoss?: string; metrics?: MetricName[] };
  source: string;
}
