import { tf } from '../../tf.js';
import {
  heapAddress,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  perWasmModule,
  replaceWasmKernel,
  type TensorInfo,
  wasmKernelOverridesEnabled,
} from './kernel-types.js';
import { I32, get, instantiate, moduleBytes, set, simd, uleb, v128Load, v128Store } from './wasm-asm.js';

/**
 * `Add` of a per-channel vector to a tensor with the channels last (a bias: x [N, H, W, C] + b [C]) as one
 * WebAssembly SIMD pass. tfjs-backend-wasm adds with broadcasting at 0.76 ns a value on [64, 28, 28, 16] (2.6 ns at
 * batch 256), against 0.16 ns for two tensors of one shape: the data-input conv (data-input-conv.ts), every CNN's
 * first layer, adds its bias so in each training step and probe. Each sum is one float32 addition, as tfjs'
 * kernel computes it, so the values are the same to the last bit. Other shapes, dtypes, small tensors and
 * runtimes without WebAssembly SIMD use the original kernel.
 */
export function registerBiasAdd(): string[] {
  return replaceWasmKernel('Add', biasAdd) ? ['Add (channel bias)'] : [];
}

/** Below this many values tfjs' own kernel costs about as much as the call into this one. */
const MIN_VALUES = 4096;

type BiasAddFn = (x: number, b: number, out: number, rows: number, rowBytes: number) => void;
let simdCalls = 0;

/** For tests: how many adds the SIMD loop has computed (so a test knows which path it checked). */
export function biasAddSimdCalls(): number {
  return simdCalls;
}

function biasAdd(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { a, b } = args.inputs as unknown as { a: TensorInfo; b: TensorInfo };
    // Float addition commutes exactly, so the bias may be either operand.
    const [x, bias] = isChannelVector(b, a) ? [a, b] : isChannelVector(a, b) ? [b, a] : [null, null];
    if (x === null || bias === null || !wasmKernelOverridesEnabled()) return original(args);
    const fn = simdFor(backend);
    if (fn === null) return original(args);
    const channels = x.shape[x.shape.length - 1]!;
    const out = backend.makeOutput(x.shape, 'float32');
    // Addresses after the allocation (it may grow the heap); the function reads them from the heap it is bound to.
    fn(
      heapAddress(backend, x),
      heapAddress(backend, bias),
      heapAddress(backend, out),
      tf.util.sizeFromShape(x.shape) / channels,
      4 * channels,
    );
    simdCalls++;
    return out;
  };
  return kernel as unknown as KernelFunc;
}

/** Whether `v` is a float32 vector over `x`'s last axis (shape [C] or [1, ..., 1, C]) that the loop can add. */
function isChannelVector(v: TensorInfo, x: TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1];
  return (
    v.dtype === 'float32' &&
    x.dtype === 'float32' &&
    c !== undefined &&
    c % 4 === 0 &&
    v.shape.length <= x.shape.length &&
    v.shape[v.shape.length - 1] === c &&
    v.shape.slice(0, -1).every((d) => d === 1) &&
    tf.util.sizeFromShape(x.shape) >= MIN_VALUES
  );
}

const simdFor = perWasmModule(compile);

/**
 * add(x, b, out, rows, rowBytes): out[r, j] = x[r, j] + b[j] over rows of rowBytes (a multiple of 16), addresses in
 * bytes: rows outside, the row's vectors inside.
 */
function compile(memory: unknown): BiasAddFn | null {
  const [X, B, OUT, ROWS, ROW_BYTES, C] = [0, 1, 2, 3, 4, 5];
  const at = (base: number) => [...get(base), ...get(C), 0x6a]; // base + c
  const code = [
    0x03,
    0x40, // loop over rows
    0x41,
    0,
    ...set(C),
    0x03,
    0x40, // loop over the row's vectors
    ...at(OUT),
    ...at(X),
    ...v128Load(),
    ...at(B),
    ...v128Load(),
    ...simd(0xe4), // f32x4.add
    ...v128Store(),
    ...get(C),
    0x41,
    16,
    0x6a,
    0x22,
    ...uleb(C), // local.tee c
    ...get(ROW_BYTES),
    0x47, // i32.ne
    0x0d,
    0, // next vector of the row
    0x0b,
    ...get(X),
    ...get(ROW_BYTES),
    0x6a,
    ...set(X),
    ...get(OUT),
    ...get(ROW_BYTES),
    0x6a,
    ...set(OUT),
    ...get(ROWS),
    0x41,
    1,
    0x6b,
    0x22,
    ...uleb(ROWS), // local.tee rows
    0x0d,
    0, // next row
    0x0b,
  ];
  const exports = instantiate(
    memory,
    moduleBytes([{ name: 'add', params: [I32, I32, I32, I32, I32], locals: [[1, I32]], code }]),
  );
  return exports === null ? null : (exports['add'] as BiasAddFn);
}
