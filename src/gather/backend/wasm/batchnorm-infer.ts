import { tf } from '../../tf.js';
import { batchNormCall, batchNormLoops } from './batchnorm-loops.js';
import {
  type HeapBackend,
  heapIndices,
  type KernelArgs,
  makeOutputs,
  registerKernelPair,
  type TensorInfo,
} from './kernel-types.js';

/**
 * Batch norm in inference (the moving statistics), forward: y = (x - mean) * gamma / sqrt(variance + epsilon) + beta
 * by the fused batch norm's SIMD loop. tfjs-backend-wasm's FusedBatchNorm is a scalar loop, and tfjs-core's gradient
 * of batchNorm a chain of Sub, Multiply, Sum, Tile and Reshape calls: a probe differentiates the model in inference
 * mode over 256 images, and these were a fifth of a conv net's probe.
 */
export const BN_INFER = 'NnauditBatchNormInfer';
/**
 * Its gradient in two passes: dx = gamma * invstd * dy, dgamma = sum(dy * (x - mean)) * invstd, dbeta = sum(dy),
 * and for the moving statistics (never trained; for completeness) dmean = -gamma * invstd * sum(dy),
 * dvariance = -gamma * invstd^3 / 2 * sum(dy * (x - mean)).
 */
export const BN_INFER_GRAD = 'NnauditBatchNormInferGrad';

export interface BatchNormInferAttrs {
  epsilon: number;
}

export function registerBatchNormInfer(): string[] {
  return registerKernelPair({
    name: BN_INFER,
    gradName: BN_INFER_GRAD,
    forward,
    backward,
    gradient: {
      inputsToSave: ['x', 'gamma', 'movingMean', 'movingVariance'],
      gradFunc: gradient as unknown as tf.GradConfig['gradFunc'],
    },
  });
}

type Statistics = Record<'gamma' | 'movingMean' | 'movingVariance', TensorInfo>;

/** Per channel, from the heap: the mean and gamma * invstd (float64, from the float32 statistics). */
function perChannel(backend: HeapBackend, heap: Float32Array, C: number, inputs: Statistics, eps: number) {
  const [g, m, v] = heapIndices(backend, inputs.gamma, inputs.movingMean, inputs.movingVariance);
  const mean = Float64Array.from(heap.subarray(m, m + C));
  const invStd = Float64Array.from(heap.subarray(v, v + C), (x) => 1 / Math.sqrt(x + eps));
  const scale = Float64Array.from(invStd, (s, c) => heap[g + c]! * s);
  return { mean, invStd, scale };
}

function forward(args: KernelArgs): TensorInfo {
  const { backend, inputs, attrs, x, C, P } = batchNormCall<
    'gamma' | 'beta' | 'movingMean' | 'movingVariance',
    BatchNormInferAttrs
  >(args);
  const { epsilon } = attrs;
  const y = backend.makeOutput(x.shape, 'float32');
  const loops = batchNormLoops(backend, P, C);
  // Views after the allocations: growing the heap replaces its buffer.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const { mean, scale } = perChannel(backend, heap, C, inputs, epsilon);
  const [betaAt, xAt, yAt] = heapIndices(backend, inputs.beta, x, y);
  const beta = Float64Array.from(heap.subarray(betaAt, betaAt + C));
  // y = beta + scale * (x - mean)
  loops.apply(heap, xAt, xAt, yAt, mean, new Float64Array(C), beta, scale);
  return y;
}

function backward(args: KernelArgs): TensorInfo[] {
  const { backend, inputs, attrs, x, C, P } = batchNormCall<
    'dy' | 'gamma' | 'movingMean' | 'movingVariance',
    BatchNormInferAttrs
  >(args);
  const { epsilon } = attrs;
  const outs = makeOutputs(backend, x.shape, [C], [C], [C], [C]);
  const loops = batchNormLoops(backend, P, C);
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [dxAt, dgAt, dbAt, dmAt, dvAt] = heapIndices(backend, ...outs);
  const { mean, invStd, scale } = perChannel(backend, heap, C, inputs, epsilon);
  const [dyAt, xAt] = heapIndices(backend, inputs.dy, x);
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C); // sum of dy * (x - mean)
  loops.sums(heap, dyAt, xAt, new Float64Array(C), mean, sumDy, sumDyX);
  for (let c = 0; c < C; c++) {
    heap[dbAt + c] = sumDy[c]!;
    heap[dgAt + c] = sumDyX[c]! * invStd[c]!;
    heap[dmAt + c] = -scale[c]! * sumDy[c]!;
    heap[dvAt + c] = (-scale[c]! * invStd[c]! * invStd[c]! * sumDyX[c]!) / 2;
  }
  // dx = scale * dy
  loops.apply(heap, dyAt, xAt, dxAt, mean, scale, new Float64Array(C), new Float64Array(C));
  return outs;
}

type Gradients = Record<'x' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance', () => tf.Tensor>;

/** One kernel call for all five gradients; the engine asks for each (on the path to the loss) by its closure. */
function gradient(dy: tf.Tensor, saved: tf.Tensor[], attrs: BatchNormInferAttrs): Gradients {
  const [x, gamma, movingMean, movingVariance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const [dx, dgamma, dbeta, dmean, dvariance] = tf
    .engine()
    .runKernel(BN_INFER_GRAD, { dy, x, gamma, movingMean, movingVariance }, attrs as unknown as tf.NamedAttrMap) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  return {
    x: () => dx,
    gamma: () => dgamma,
    beta: () => dbeta,
    movingMean: () => dmean,
    movingVariance: () => dvariance,
  };
}
