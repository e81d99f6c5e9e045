import { tf } from '../../tf.js';
import {
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  heapAddress,
} from './kernel-types.js';

/** Runs shorter than this many bytes go to the original kernel, whose per-row copies cost about the same. */
const MIN_RUN_BYTES = 256;

/**
 * tfjs-backend-wasm 4.22's Slice copies a rank-4 slice one innermost row at a time (a subarray set per row). The
 * gradient of a ZeroPadding2D layer (MobileNetV2 has five) slices [16, 113, 113, 48] to [16, 112, 112, 48]: 200k
 * copies of 48 floats, 55 ms a call, 2.6% of a fine-tune step (bench:profile). When the trailing axes are whole,
 * each (row, those axes) is one contiguous run in both tensors: copy runs of 112 * 48 floats with one memmove
 * (copyWithin) each. A contiguous slice is one such copy. Strings, complex numbers, short runs and the "overrides
 * off" switch use the original.
 */
export function registerRunCopySlice(): string[] {
  return replaceWasmKernel('Slice', runCopySlice) ? ['Slice'] : [];
}

function runCopySlice(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    if (!wasmKernelOverridesEnabled() || !['float32', 'int32', 'bool'].includes(x.dtype)) return original(args);
    const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo, begin, size) as [number[], number[]];
    if (tf.util.sizeFromShape(s) === 0) return original(args);
    const bytes = x.dtype === 'bool' ? 1 : 4;
    if (tf.slice_util.isSliceContinous(x.shape, b, s)) return contiguousSlice(backend, x, b, s, bytes);
    const rank = x.shape.length;
    // k: the innermost axis the slice cuts; axes after it are whole, so (index along k.., rest) is one run.
    let k = rank - 1;
    while (k > 0 && b[k] === 0 && s[k] === x.shape[k]) k--;
    const inner = x.shape.slice(k + 1).reduce((p, d) => p * d, 1);
    const run = s[k]! * inner * bytes;
    if (run < MIN_RUN_BYTES) return original(args);
    const out = backend.makeOutput(s, x.dtype);
    // Offsets and the heap view after makeOutput: an allocation may grow (and so replace) the heap's buffer.
    const heap = backend.wasm.HEAPU8;
    const xBase = heapAddress(backend, x);
    let o = heapAddress(backend, out);
    const strides = tf.util.computeStrides(x.shape).concat(1);
    const index = b.slice(0, k); // odometer over the outer axes 0..k-1
    const runs = s.slice(0, k).reduce((p, d) => p * d, 1);
    for (let r = 0; r < runs; r++) {
      let src = b[k]! * strides[k]!;
      for (let a = 0; a < k; a++) src += index[a]! * strides[a]!;
      heap.copyWithin(o, xBase + src * bytes, xBase + src * bytes + run);
      o += run;
      for (let a = k - 1; a >= 0; a--) {
        if (++index[a]! < b[a]! + s[a]!) break;
        index[a] = b[a]!;
      }
    }
    return out;
  };
  return kernel as unknown as KernelFunc;
}

/**
 * A slice that is one block of the input (a batch of rows, as model.predict cuts its input): one memmove. The
 * original kernel reads the whole input out of the heap first (backend.readSync copies it), so each batch of a
 * predict over 8,000 Fashion-MNIST rows copied all 25 MB: 5-10 ms a batch, most of the evaluation's time.
 */
function contiguousSlice(backend: HeapBackend, x: TensorInfo, b: number[], s: number[], bytes: number): TensorInfo {
  const out = backend.makeOutput(s, x.dtype);
  const heap = backend.wasm.HEAPU8;
  const from = heapAddress(backend, x) + tf.slice_util.computeFlatOffset(b, tf.util.computeStrides(x.shape)) * bytes;
  heap.copyWithin(heapAddress(backend, out), from, from + tf.util.sizeFromShape(s) * bytes);
  return out;
}
