/**
 * The one place nnaudit imports TensorFlow.js. When @tensorflow/tfjs-node is installed it shares this
 * tfjs-core instance (same version, deduped by npm) and registers its `tensorflow` backend on it.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type LayersModel = tf.LayersModel;
