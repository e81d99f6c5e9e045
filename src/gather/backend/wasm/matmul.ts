import {
  callKernel,
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  type WasmBackend,
} from './kernel-types.js';
import { tf } from '../../tf.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/**
 * tfjs-backend-wasm 4.22 multiplies with transposeA/transposeB through a strided path that is 6-8x slower than
 * the plain one (issue #14: matMul(x, dy, true, false) on 64x784 by 64x256, 4.0 s for 256 calls vs 0.5 s for
 * matMul(transpose(x), dy)). A dense layer's backward pass uses exactly those flags (weight gradient: transposeA;
 * input gradient: transposeB), so training time was mostly spent there. These kernels materialize the transpose
 * with wasm's own Transpose kernel (one memcpy-speed pass) and call the original kernel without the flags.
 *
 * @returns the kernel names replaced.
 */
export function registerTransposeFreeMatMuls(): string[] {
  const names: string[] = [];
  if (replaceWasmKernel('BatchMatMul', transposeFree)) names.push('BatchMatMul');
  if (replaceWasmKernel('_FusedMatMul', (original) => batchedBiasFixed(transposeFree(original))))
    names.push('_FusedMatMul');
  return names;
}

/**
 * tfjs-backend-wasm 4.22's _FusedMatMul adds the bias wrongly when the batch is larger than 1 ([3,5,7] x [3,7,4]
 * plus a bias differs from matMul + add by up to the bias itself; cpu is right). Layers reshape to one batch, so
 * training was unaffected, but tf.fused.matMul was wrong: compute those cases unfused (same ops as tfjs-core's own
 * unfused path) so the kernel is correct for every input.
 */
function batchedBiasFixed(kernel: KernelFunc): KernelFunc {
  const fixed = (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.Tensor | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const batch = (t: tf.Tensor) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    if (
      !wasmKernelOverridesEnabled() ||
      !(a instanceof tf.Tensor) ||
      !(b instanceof tf.Tensor) ||
      !(bias instanceof tf.Tensor)
    )
      return kernel(args);
    if (Math.max(batch(a), batch(b)) === 1) return kernel(args);
    return tf.tidy(() =>
      activate(tf.add(tf.matMul(a, b, attrs.transposeA, attrs.transposeB), bias), attrs, preluActivationWeights),
    );
  };
  return fixed as unknown as KernelFunc;
}

function activate(x: tf.Tensor, attrs: MatMulAttrs, preluWeights: tf.Tensor | undefined): tf.Tensor {
  switch (attrs.activation) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'leakyrelu':
      return tf.leakyRelu(x, attrs.leakyreluAlpha ?? 0.2);
    case 'prelu':
      return tf.prelu(x, preluWeights!);
    case 'sigmoid':
      return tf.sigmoid(x);
    default:
      return x;
  }
}

function transposeFree(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const attrs = args.attrs as unknown as MatMulAttrs;
    if (!wasmKernelOverridesEnabled() || (!attrs.transposeA && !attrs.transposeB)) return original(args);
    const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
    if (transpose === undefined) return original(args);
    const backend = args.backend as unknown as WasmBackend;
    const inputs = args.inputs as unknown as Record<string, TensorInfo | undefined>;
    const temporaries: TensorInfo[] = [];
    const flat = (x: TensorInfo, flag: boolean): TensorInfo => {
      if (!flag) return x;
      const rank = x.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
      const t = callKernel(transpose, backend, { x }, { perm });
      temporaries.push(t);
      return t;
    };
    try {
      const a = flat(inputs['a']!, attrs.transposeA);
      const b = flat(inputs['b']!, attrs.transposeB);
      return original({
        ...args,
        inputs: { ...inputs, a, b },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as unknown as KernelArgs);
    } finally {
      // Not forced: Transpose returns a shared reference (refCount + 1) when the permutation only moves size-1 axes.
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return kernel as unknown as KernelFunc;
}
