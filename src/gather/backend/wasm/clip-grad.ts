import { tf } from '../../tf.js';
import { F32, I32, V128, get, instantiate, moduleBytes, set, simd } from './wasm-asm.js';
import {
  wasmKernelOverridesEnabled,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  heapAddress,
} from './kernel-types.js';

const KERNEL = 'NnauditClipByValueGrad';

/**
 * The gradient of clipByValue (tfjs-layers' ReLU with maxValue: MobileNet's ReLU6) in one pass on wasm:
 *   dx = (min <= x <= max) ? dy : 0
 * tfjs' own gradient is GreaterEqual, LessEqual, LogicalAnd, ZerosLike and Select, five passes and four new tensors
 * over activations of up to 16x112x112x96 floats: 8% of a MobileNetV2 fine-tune step (bench:profile). The loop is a
 * WebAssembly SIMD function (two compares and two ands a vector) on tfjs' heap. Other backends, dtypes and the
 * "overrides off" switch keep tfjs' gradient.
 */
export function registerClipGrad(): string[] {
  const original = tf.getGradient('ClipByValue');
  if (original === undefined) return [];
  if (tf.getKernel(KERNEL, 'wasm') === undefined)
    tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: clipGradKernel as unknown as KernelFunc });
  if (!registered) {
    registered = true;
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as tf.Tensor[];
        const usable = tf.getBackend() === 'wasm' && wasmKernelOverridesEnabled();
        if (!usable || x!.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32')
          return original.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel(KERNEL, { dy: dy as tf.Tensor, x: x! }, attrs) as tf.Tensor };
      },
    });
  }
  return [KERNEL];
}
let registered = false;

function clipGradKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as unknown as HeapBackend & { wasm: { asm?: { memory?: unknown } } };
  const { dy, x } = args.inputs as unknown as { dy: TensorInfo; x: TensorInfo };
  const { clipValueMin: lo, clipValueMax: hi } = args.attrs as unknown as {
    clipValueMin: number;
    clipValueMax: number;
  };
  const out = backend.makeOutput(x.shape, 'float32');
  const at = (t: TensorInfo) => heapAddress(backend, t);
  const n = tf.util.sizeFromShape(x.shape);
  const fn = clipSimdFor(backend.wasm);
  const done = fn ? n - (n % 4) : 0;
  if (fn && done > 0) fn(at(x), at(dy), at(out), done, lo, hi);
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [xi, dyi, oi] = [at(x) / 4, at(dy) / 4, at(out) / 4];
  for (let i = done; i < n; i++) {
    const v = heap[xi + i]!;
    heap[oi + i] = v >= lo && v <= hi ? heap[dyi + i]! : 0;
  }
  return out;
}

type ClipSimd = (x: number, dy: number, out: number, n: number, lo: number, hi: number) => void;
const compiled = new WeakMap<object, ClipSimd | null>();

function clipSimdFor(module: { asm?: { memory?: unknown } }): ClipSimd | null {
  if (!compiled.has(module)) compiled.set(module, compileClipSimd(module.asm?.memory));
  return compiled.get(module)!;
}

/** clip(x, dy, out, n, lo, hi): byte addresses, n a multiple of 4. */
function compileClipSimd(memory: unknown): ClipSimd | null {
  const [X, DY, OUT, N, LO, HI, I, VLO, VHI, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const memarg = [0x00, 0x00];
  const [load, store, splat] = [[...simd(0x00), ...memarg], [...simd(0x0b), ...memarg], simd(0x13)];
  const [le, ge, and] = [simd(0x45), simd(0x46), simd(0x4e)];
  const at = (base: number) => [...get(base), ...get(I), 0x6a];
  const code = [
    ...get(LO),
    ...splat,
    ...set(VLO),
    ...get(HI),
    ...splat,
    ...set(VHI),
    ...get(N),
    0x41,
    2,
    0x74,
    ...set(N), // n <<= 2: bytes
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(I),
    ...get(N),
    0x4f,
    0x0d,
    1, // if i >= n: break
    ...at(X),
    ...load,
    ...set(V),
    ...at(OUT),
    ...get(V),
    ...get(VLO),
    ...ge,
    ...get(V),
    ...get(VHI),
    ...le,
    ...and,
    ...at(DY),
    ...load,
    ...and,
    ...store,
    ...get(I),
    0x41,
    16,
    0x6a,
    ...set(I),
    0x0c,
    0, // i += 16, continue
    0x0b,
    0x0b,
  ];
  const bytes = moduleBytes([
    {
      name: 'clip',
      params: [I32, I32, I32, I32, F32, F32],
      locals: [
        [1, I32],
        [3, V128],
      ],
      code,
    },
  ]);
  return (instantiate(memory, bytes)?.['clip'] as ClipSimd | undefined) ?? null;
}
