import { tf } from '../../tf.js';
import {
  heapAddress,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  perWasmModule,
  type TensorInfo,
  wasmKernelOverridesEnabled,
} from './kernel-types.js';

/**
 * The gradients of elementwise kernels with one saved input x (clipByValue's, ReLU's) as one pass on wasm:
 * dx[i] = f(x[i], dy[i]), four values at a time by a WebAssembly SIMD function over tfjs' heap, the last few (and
 * every value where WebAssembly SIMD does not run) by the same formula in JavaScript.
 */

/** simd(x, dy, out, n, ...params): byte addresses, n > 0 values, a multiple of 4. */
export type ElementwiseSimd = (x: number, dy: number, out: number, n: number, ...params: number[]) => void;

export interface ElementwiseGradient {
  /** tfjs' kernel whose gradient this replaces. */
  of: string;
  /** nnaudit's wasm kernel (inputs dy and x, the attributes of `of`). */
  name: string;
  /** The SIMD function bound to tfjs' heap, or null without WebAssembly SIMD. Compiled once per wasm module. */
  compile(memory: unknown): ElementwiseSimd | null;
  /** The numbers the function takes after n, from the kernel's attributes. */
  params(attrs: KernelArgs['attrs']): number[];
  /** The same formula for one value, for the tail. */
  scalar(x: number, dy: number, params: number[]): number;
  /** Called each time the SIMD function ran (tests count them). */
  onSimd?(): void;
}

/**
 * Makes `g.name` the gradient of tfjs' `g.of` where it can run: on wasm, with nnaudit's kernels on, on float32
 * tensors. Elsewhere tfjs' own gradient of `g.of` runs. Once per process; returns the kernel's name, or none
 * without `g.of`.
 */
export function registerElementwiseGradient(g: ElementwiseGradient): string[] {
  const original = tf.getGradient(g.of);
  if (original === undefined) return [];
  if (tf.getKernel(g.name, 'wasm') === undefined)
    tf.registerKernel({ kernelName: g.name, backendName: 'wasm', kernelFunc: kernelFor(g) });
  if (!gradientsReplaced.has(g.of)) {
    gradientsReplaced.add(g.of);
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as tf.Tensor[];
        const usable = tf.getBackend() === 'wasm' && wasmKernelOverridesEnabled();
        if (!usable || x!.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32')
          return original.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel(g.name, { dy: dy as tf.Tensor, x: x! }, attrs) as tf.Tensor };
      },
    });
  }
  return [g.name];
}
const gradientsReplaced = new Set<string>();

function kernelFor(g: ElementwiseGradient): KernelFunc {
  const simdFor = perWasmModule(g.compile);
  const kernel = (args: KernelArgs): TensorInfo => {
    const backend = args.backend as unknown as HeapBackend;
    const { dy, x } = args.inputs as unknown as { dy: TensorInfo; x: TensorInfo };
    const params = g.params(args.attrs);
    const out = backend.makeOutput(x.shape, 'float32');
    const at = (t: TensorInfo) => heapAddress(backend, t);
    const n = tf.util.sizeFromShape(x.shape);
    const fn = simdFor(backend);
    const done = fn ? n - (n % 4) : 0;
    if (fn && done > 0) {
      fn(at(x), at(dy), at(out), done, ...params);
      g.onSimd?.();
    }
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [xi, dyi, oi] = [at(x) / 4, at(dy) / 4, at(out) / 4];
    for (let i = done; i < n; i++) heap[oi + i] = g.scalar(heap[xi + i]!, heap[dyi + i]!, params);
    return out;
  };
  return kernel as unknown as KernelFunc;
}
