import { tf } from '../../tf.js';
import { compileBatchNormSimd, type BatchNormSimd } from './batchnorm-simd.js';
import type { HeapBackend, KernelArgs, TensorInfo, WasmBackend } from './kernel-types.js';

/** A batch-norm kernel call: its backend, inputs (`Name` and x) and attributes, and x's channels C and positions P. */
export function batchNormCall<Name extends string, Attrs>(args: KernelArgs) {
  const backend = args.backend as unknown as HeapBackend;
  const inputs = args.inputs as unknown as Record<Name | 'x', TensorInfo>;
  const attrs = args.attrs as unknown as Attrs;
  const { x } = inputs;
  const C = x.shape[x.shape.length - 1]!;
  return { backend, inputs, attrs, x, C, P: tf.util.sizeFromShape(x.shape) / C };
}

/**
 * The two passes of the fused batch norm over `rows` rows of C channels on the heap (u, v, out: float indices),
 * with per-channel vectors n, m, a, b, k:
 *   sums:  s[c] = sum of (u - n[c]);  q[c] = sum of (u - n[c]) * (v - m[c])   (double precision)
 *   apply: out = a[c] * u + b[c] + k[c] * (v - m[c])
 */
export interface BatchNormLoops {
  sums(
    heap: Float32Array,
    u: number,
    v: number,
    n: Float64Array,
    m: Float64Array,
    s: Float64Array,
    q: Float64Array,
  ): void;
  apply(
    heap: Float32Array,
    u: number,
    v: number,
    out: number,
    m: Float64Array,
    a: Float64Array,
    b: Float64Array,
    k: Float64Array,
  ): void;
}

type SimdBackend = WasmBackend & { wasm: WasmBackend['wasm'] & { asm?: { memory?: unknown }; _free(p: number): void } };

/** Rows a float32 block sum covers before it is added in double precision: its rounding stays near 1e-5. */
const BLOCK = 128;

let simdDisabled = false;
/** For tests: force the JavaScript loops, to compare them with the SIMD ones. */
export function setBatchNormSimd(enabled: boolean): void {
  simdDisabled = !enabled;
}

const compiled = new WeakMap<object, { simd: BatchNormSimd | null; scratch: number; floats: number }>();

/**
 * The loops for `rows` x `channels`: SIMD where WebAssembly SIMD runs and the channels come in fours, else
 * JavaScript. May allocate scratch on the wasm heap: call it before taking a view of the heap.
 */
export function batchNormLoops(backend: WasmBackend, rows: number, channels: number): BatchNormLoops {
  const module = (backend as SimdBackend).wasm;
  if (simdDisabled || channels % 4 !== 0) return jsLoops(rows, channels);
  let entry = compiled.get(module);
  if (entry === undefined) {
    entry = { simd: compileBatchNormSimd(module.asm?.memory), scratch: 0, floats: 0 };
    compiled.set(module, entry);
  }
  if (entry.simd === null) return jsLoops(rows, channels);
  if (entry.floats < 7 * channels) {
    if (entry.scratch !== 0) module._free(entry.scratch);
    entry.floats = 7 * channels;
    entry.scratch = module._malloc(entry.floats * 4);
  }
  return simdLoops(entry.simd, entry.scratch / 4, rows, channels);
}

function simdLoops(simd: BatchNormSimd, scratch: number, rows: number, C: number): BatchNormLoops {
  // Scratch: five per-channel vectors, then the block sums s and q.
  const [n, m, a, b, k, s, q] = [0, 1, 2, 3, 4, 5, 6].map((i) => scratch + i * C) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const c4 = 4 * C;
  return {
    sums(heap, u, v, nv, mv, sum, sumQ) {
      heap.set(nv, n);
      heap.set(mv, m);
      for (let r = 0; r < rows; r += BLOCK) {
        const count = Math.min(BLOCK, rows - r);
        heap.fill(0, s, s + 2 * C);
        simd.sums((u + r * C) * 4, n * 4, (v + r * C) * 4, m * 4, s * 4, q * 4, count, c4);
        for (let c = 0; c < C; c++) {
          sum[c] = sum[c]! + heap[s + c]!;
          sumQ[c] = sumQ[c]! + heap[q + c]!;
        }
      }
    },
    apply(heap, u, v, out, mv, av, bv, kv) {
      heap.set(mv, m);
      heap.set(av, a);
      heap.set(bv, b);
      heap.set(kv, k);
      simd.apply(u * 4, v * 4, m * 4, a * 4, b * 4, k * 4, out * 4, rows, c4);
    },
  };
}

function jsLoops(rows: number, C: number): BatchNormLoops {
  return {
    sums(heap, u, v, n, m, s, q) {
      for (let r = 0, i = 0; r < rows; r++) {
        for (let c = 0; c < C; c++, i++) {
          const d = heap[u + i]! - n[c]!;
          s[c] = s[c]! + d;
          q[c] = q[c]! + d * (heap[v + i]! - m[c]!);
        }
      }
    },
    apply(heap, u, v, out, m, a, b, k) {
      for (let r = 0, i = 0; r < rows; r++) {
        for (let c = 0; c < C; c++, i++) {
          heap[out + i] = a[c]! * heap[u + i]! + b[c]! + k[c]! * (heap[v + i]! - m[c]!);
        }
      }
    },
  };
}
