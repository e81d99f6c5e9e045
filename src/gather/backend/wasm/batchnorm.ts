import { tf } from '../../tf.js';
import { batchNormCall, batchNormLoops } from './batchnorm-loops.js';
import { heapIndices, type KernelArgs, makeOutputs, registerKernelPair, type TensorInfo } from './kernel-types.js';

/** Batch norm in training, forward: one kernel instead of tf.moments' Mean, Sub, Square, Mean and FusedBatchNorm. */
export const BN_TRAIN = 'NnauditBatchNormTrain';
/** Its gradient: dx, dgamma and dbeta in two passes, instead of tfjs' chains of Sum, Multiply, Tile and Sub. */
export const BN_TRAIN_GRAD = 'NnauditBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
  momentum: number;
}

/**
 * Registers both kernels for wasm and the forward kernel's gradient. Inputs: x with the channels last (any rank),
 * gamma, beta, movingMean, movingVariance (all [C]). Outputs: y, the batch mean, the batch variance (biased: divided
 * by the count, as tf.moments and so tfjs-layers' moving average use it), and the new moving mean and variance,
 * computed in float32 exactly as tfjs-layers' doMovingAverage does with three kernels each:
 * moving - (moving - batch) * (1 - momentum).
 */
export function registerBatchNormTrain(): string[] {
  return registerKernelPair({
    name: BN_TRAIN,
    gradName: BN_TRAIN_GRAD,
    forward,
    backward,
    gradient: {
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [false, true, true, false, false],
      gradFunc: gradient as unknown as tf.GradConfig['gradFunc'],
    },
  });
}

function forward(args: KernelArgs): TensorInfo[] {
  const { backend, inputs, attrs, x, C, P } = batchNormCall<
    'gamma' | 'beta' | 'movingMean' | 'movingVariance',
    BatchNormTrainAttrs
  >(args);
  const { epsilon, momentum } = attrs;
  const outs = makeOutputs(backend, x.shape, [C], [C], [C], [C]);
  const loops = batchNormLoops(backend, P, C);
  // Views after the allocations: growing the heap replaces its buffer.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [xAt, yAt, meanAt, varAt, mmAt, mvAt] = heapIndices(backend, x, ...outs);
  const [gAt, bAt, mm0, mv0] = heapIndices(
    backend,
    inputs.gamma,
    inputs.beta,
    inputs.movingMean,
    inputs.movingVariance,
  );
  // One pass for both sums, shifted by the first row so that a large mean does not cancel the variance.
  const shift = new Float64Array(C);
  if (P > 0) shift.set(heap.subarray(xAt, xAt + C));
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  loops.sums(heap, xAt, xAt, shift, shift, sum, sumSq);
  const mean = new Float64Array(C);
  const scale = new Float64Array(C);
  const beta = new Float64Array(C);
  const decay = Math.fround(1 - momentum);
  for (let c = 0; c < C; c++) {
    const d = sum[c]! / P;
    heap[meanAt + c] = shift[c]! + d;
    heap[varAt + c] = Math.max(0, sumSq[c]! / P - d * d);
    // From here on the float32 values, as tfjs' batchNorm and moving average see them.
    const m = heap[meanAt + c]!;
    const variance = heap[varAt + c]!;
    mean[c] = m;
    scale[c] = heap[gAt + c]! / Math.sqrt(variance + epsilon);
    beta[c] = heap[bAt + c]!;
    const om = heap[mm0 + c]!;
    const ov = heap[mv0 + c]!;
    heap[mmAt + c] = om - Math.fround(Math.fround(om - m) * decay);
    heap[mvAt + c] = ov - Math.fround(Math.fround(ov - variance) * decay);
  }
  // y = (x - mean) * scale + beta
  loops.apply(heap, xAt, xAt, yAt, mean, new Float64Array(C), beta, scale);
  return outs;
}

/**
 * With xhat = (x - mean) * invstd and N values a channel:
 *   dbeta = sum(dy), dgamma = sum(dy * xhat),
 *   dx = gamma * invstd / N * (N * dy - sum(dy) - xhat * sum(dy * xhat)) + dmean / N + dvar * 2 (x - mean) / N,
 * where dmean and dvar collect what reaches the batch mean and variance outputs (directly or through the new moving
 * averages; in a layer nothing does, and they are zeros). Written as dx = A dy + B + K (x - mean) per channel.
 */
function backward(args: KernelArgs): TensorInfo[] {
  type Name = 'dy' | 'gamma' | 'mean' | 'variance' | 'dmean' | 'dvariance' | 'dmovingMean' | 'dmovingVariance';
  const { backend, inputs, attrs, x, C, P } = batchNormCall<Name, BatchNormTrainAttrs>(args);
  const { epsilon, momentum } = attrs;
  const outs = makeOutputs(backend, x.shape, [C], [C]);
  const loops = batchNormLoops(backend, P, C);
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [dxAt, dgAt, dbAt] = heapIndices(backend, ...outs);
  const [dyAt, xAt, gAt, mAt, vAt, dmAt, dvAt, dmmAt, dmvAt] = heapIndices(
    backend,
    inputs.dy,
    inputs.x,
    inputs.gamma,
    inputs.mean,
    inputs.variance,
    inputs.dmean,
    inputs.dvariance,
    inputs.dmovingMean,
    inputs.dmovingVariance,
  );
  const mean = Float64Array.from(heap.subarray(mAt, mAt + C));
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C); // sum of dy * (x - mean)
  loops.sums(heap, dyAt, xAt, new Float64Array(C), mean, sumDy, sumDyX);
  const A = new Float64Array(C);
  const B = new Float64Array(C);
  const K = new Float64Array(C);
  const decay = Math.fround(1 - momentum);
  for (let c = 0; c < C; c++) {
    const invStd = 1 / Math.sqrt(heap[vAt + c]! + epsilon);
    const gamma = heap[gAt + c]!;
    const dMean = heap[dmAt + c]! + decay * heap[dmmAt + c]!;
    const dVar = heap[dvAt + c]! + decay * heap[dmvAt + c]!;
    heap[dbAt + c] = sumDy[c]!;
    heap[dgAt + c] = sumDyX[c]! * invStd;
    A[c] = gamma * invStd;
    B[c] = (dMean - gamma * invStd * sumDy[c]!) / P;
    K[c] = (2 * dVar - gamma * invStd * invStd * invStd * sumDyX[c]!) / P;
  }
  loops.apply(heap, dyAt, xAt, dxAt, mean, A, B, K);
  return outs;
}

type Gradients = Record<'x' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance', () => tf.Tensor>;

/**
 * All three gradients come from one kernel call; the engine asks for each through its own closure (only for the
 * inputs on the path to the loss), so the closures hand out the tensors of that one call.
 */
function gradient(dys: tf.Tensor[], saved: tf.Tensor[], attrs: BatchNormTrainAttrs): Gradients {
  const [dy, dmean, dvariance, dmovingMean, dmovingVariance] = dys as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const [dx, dgamma, dbeta] = tf
    .engine()
    .runKernel(
      BN_TRAIN_GRAD,
      { dy, x, gamma, mean, variance, dmean, dvariance, dmovingMean, dmovingVariance },
      attrs as unknown as tf.NamedAttrMap,
    ) as [tf.Tensor, tf.Tensor, tf.Tensor];
  // The moving statistics are non-trainable; their gradient is only computed if someone differentiates by them.
  const kept = 1 - Math.fround(1 - attrs.momentum);
  return {
    x: () => dx,
    gamma: () => dgamma,
    beta: () => dbeta,
    movingMean: () => tf.mul(dmovingMean, kept),
    movingVariance: () => tf.mul(dmovingVariance, kept),
  };
}
