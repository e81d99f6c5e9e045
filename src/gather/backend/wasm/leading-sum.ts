import { tf } from '../../tf.js';
import {
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  replaceWasmKernel,
  type TensorInfo,
  wasmKernelOverridesEnabled,
  heapAddress,
} from './kernel-types.js';

/**
 * A sum over the leading axes of a float32 tensor (a conv or dense layer's bias gradient: dy [N, H, W, C] summed to
 * [C]) as one pass over the heap, each trailing block added to the running sums. tfjs' wasm `Sum` transposes the
 * reduced axes to the end first: 8 `Sum` calls were 10% of a Fashion-MNIST CNN step (bench:profile). The sums are
 * accumulated in double precision. Other reductions (inner axes, other dtypes) use the original kernel.
 */
export function registerLeadingSum(): string[] {
  return replaceWasmKernel('Sum', leadingSum) ? ['Sum'] : [];
}

function leadingSum(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    // Leading axes only (0, 1, ..., k-1), at least one axis kept, float32: anything else is tfjs' own.
    if (
      !wasmKernelOverridesEnabled() ||
      x.dtype !== 'float32' ||
      axes.length === 0 ||
      axes.length >= rank ||
      axes.some((a, i) => a !== i)
    )
      return original(args);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const width = x.shape.slice(axes.length).reduce((p, d) => p * d, 1);
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const src = heapAddress(backend, x) / 4;
    const dst = heapAddress(backend, out) / 4;
    const acc = new Float64Array(width);
    for (let r = 0, at = src; r < rows; r++, at += width) {
      for (let c = 0; c < width; c++) acc[c]! += heap[at + c]!;
    }
    for (let c = 0; c < width; c++) heap[dst + c] = acc[c]!;
    return out;
  };
  return kernel as unknown as KernelFunc;
}
