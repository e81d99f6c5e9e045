import { tf } from '../../tf.js';
import {
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  type HeapBackend,
  heapAddress,
} from './kernel-types.js';

/**
 * tfjs' batch-norm gradient tiles a [1, 1, 1, C] tensor to the whole activation ([B, H, W, 1] repetitions), and
 * wasm's Tile computes every element's source index: 27% of a MobileNetV2 fine-tune step (bench:profile).
 * When the repetitions only cover leading axes of size 1, the output is the input repeated back to back:
 * copy it once and double the filled part with memmove (copyWithin). Other tilings use the original kernel.
 */
export function registerBlockTile(): string[] {
  return replaceWasmKernel('Tile', blockTile) ? ['Tile'] : [];
}

function blockTile(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (
      !wasmKernelOverridesEnabled() ||
      x.dtype === 'string' ||
      x.dtype === 'complex64' ||
      reps.length !== x.shape.length
    )
      return original(args);
    // Contiguous repetition: every axis with reps > 1 has only size-1 axes before it (and is size 1 itself).
    let leading = true;
    for (let i = 0; i < reps.length; i++) {
      if (x.shape[i] !== 1) leading = false;
      if (!leading && reps[i] !== 1) return original(args);
    }
    const blockBytes = tf.util.sizeFromShape(x.shape) * (x.dtype === 'bool' ? 1 : 4);
    const out = backend.makeOutput(
      x.shape.map((d, i) => d * reps[i]!),
      x.dtype,
    );
    const total = blockBytes * reps.reduce((p, r) => p * r, 1);
    if (total === 0) return out;
    const heap = backend.wasm.HEAPU8; // after makeOutput: an allocation may replace the heap's buffer
    const src = heapAddress(backend, x);
    const dst = heapAddress(backend, out);
    heap.copyWithin(dst, src, src + blockBytes);
    for (let filled = blockBytes; filled < total; filled += Math.min(filled, total - filled)) {
      heap.copyWithin(dst + filled, dst, dst + Math.min(filled, total - filled));
    }
    return out;
  };
  return kernel as unknown as KernelFunc;
}
