import type { tf } from '../../tf.js';
import type { LossName, MetricName, OptimizerSpec } from '../../../config/spec-schema.js';

/**
 * What every model-format loader returns: the model, the loss and optimizer it was compiled with, where it came
 * from, and how it expects its input laid out. Nothing after loading knows which format the model came from.
 */
export interface LoadedModel {
  model: tf.LayersModel;
  /** From the file's training/compile config, when present. */
  training: {
    loss?: LossName;
    optimizer?: OptimizerSpec;
    rawLoss?: string;
    metrics?: MetricName[];
    /** The saved loss takes logits (Keras `from_logits=True`): the model's output is not a probability. */
    fromLogits?: boolean;
  };
  source: string;
  /**
   * How an image-shaped input is laid out: 'channelsFirst' for NCHW models (PyTorch exports, ONNX), whose input is
   * [C, H, W] per sample; 'channelsLast' (the tfjs/Keras default, [H, W, C]) when absent.
   */
  inputLayout?: 'channelsFirst' | 'channelsLast';
}
