import { tf } from '../../tf.js';
import { BN_TRAIN, registerBatchNormTrain, type BatchNormTrainAttrs } from './batchnorm.js';
import { BN_INFER, registerBatchNormInfer, type BatchNormInferAttrs } from './batchnorm-infer.js';
import { wasmKernelOverridesEnabled } from './kernel-types.js';
import { routeLayerCall } from './layer-call-route.js';

/** The parts of tfjs-layers' BatchNormalization (and its LayerVariables) the fused training path reads. */
interface LayerVariable {
  read(): tf.Variable;
  write(value: tf.Tensor): void;
}
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

let enabled = process.env['NNAUDIT_WASM_FUSED_BN'] !== '0';

/** For tests and benchmarks: run tfjs-layers' own batch norm in training while the other wasm kernels stay on. */
export function setFusedBatchNorm(on: boolean): void {
  enabled = on;
}

/**
 * tfjs-layers' BatchNormalization in training computes tf.moments (Mean, Sub, Square, Mean), tf.batchNorm and the
 * moving averages (three kernels each), and autograd turns moments into chains of Sum, Multiply, Tile and Sub: about
 * 30% of a fashion-cnn step, mostly tfjs' per-kernel overhead. On wasm, training calls with the channels last go
 * through one forward and one backward kernel (./batchnorm.ts) with the same results, and inference calls through
 * the same loops on the moving statistics (./batchnorm-infer.ts: a probe differentiates the model in inference mode);
 * everything else (another axis, other backends, center or scale false, the overrides switched off) runs tfjs' own
 * call unchanged.
 * The class is shared by every BatchNormalization layer however it was built (spec, ONNX, Keras), so this routes
 * its call once (layer-call-route.ts), when the wasm kernels are registered.
 */
export function registerFusedBatchNorm(): string[] {
  const names = [...registerBatchNormTrain(), ...registerBatchNormInfer()];
  routeLayerCall<BatchNormLayer>('BatchNormalization', 'nnaudit.fusedBatchNorm', (layer, x, kwargs) => {
    if (!usable(layer, x)) return null;
    return kwargs['training'] === true ? () => fusedTrainingCall(layer, x) : () => fusedInferenceCall(layer, x);
  });
  return names;
}

function usable(layer: BatchNormLayer, x: tf.Tensor): boolean {
  // tfjs-layers 4.22 fails in training without gamma or beta (it reads this.gamma unconditionally): keep that.
  if (!enabled || layer.gamma === undefined || layer.beta === undefined) return false;
  const axis = layer.axis >= 0 ? layer.axis : layer.axis + x.rank;
  return (
    axis === x.rank - 1 &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    tf.getBackend() === 'wasm' &&
    wasmKernelOverridesEnabled() &&
    tf.getKernel(BN_TRAIN, 'wasm') !== undefined &&
    tf.getKernel(BN_INFER, 'wasm') !== undefined
  );
}

function fusedInferenceCall(layer: BatchNormLayer, x: tf.Tensor): tf.Tensor {
  const attrs: BatchNormInferAttrs = { epsilon: layer.epsilon };
  const inputs = {
    x,
    gamma: layer.gamma!.read(),
    beta: layer.beta!.read(),
    movingMean: layer.movingMean.read(),
    movingVariance: layer.movingVariance.read(),
  };
  return tf.engine().runKernel(BN_INFER, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function fusedTrainingCall(layer: BatchNormLayer, x: tf.Tensor): tf.Tensor {
  const attrs: BatchNormTrainAttrs = { epsilon: layer.epsilon, momentum: layer.momentum };
  const inputs = {
    x,
    gamma: layer.gamma!.read(),
    beta: layer.beta!.read(),
    movingMean: layer.movingMean.read(),
    movingVariance: layer.movingVariance.read(),
  };
  const [y, , , movingMean, movingVariance] = tf
    .engine()
    .runKernel(BN_TRAIN, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  layer.movingMean.write(movingMean!);
  layer.movingVariance.write(movingVariance!);
  return y!;
}
