import { tf } from '../../tf.js';
import {
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  perWasmModule,
  replaceWasmKernel,
  type TensorInfo,
  wasmKernelOverridesEnabled,
  heapIndices,
} from './kernel-types.js';
import { compileSumTiles, MAX_VECTORS, type SumTiles } from './leading-sum-simd.js';

/**
 * A sum over the leading axes of a float32 tensor (a conv or dense layer's bias gradient: dy [N, H, W, C] summed to
 * [C]) as one pass over the heap, each trailing block added to the running sums. tfjs' wasm `Sum` transposes the
 * reduced axes to the end first: 8 `Sum` calls were 10% of a Fashion-MNIST CNN step (bench:profile). Columns in
 * fours are summed by a WebAssembly SIMD loop (leading-sum-simd.ts) in float32 over blocks of BLOCK rows, written
 * to the output and added from there in double precision; the rest of the columns, and runtimes without
 * WebAssembly SIMD, by a JavaScript loop in double precision. Other reductions (inner axes, other dtypes) use the
 * original kernel.
 */
/**
 * Rows a float32 block sum covers before it is added in double precision. On uniform values in [-1, 1] the block
 * sums are off by about 1e-7 of the sum of magnitudes each; the test of [64, 28, 28, 16] against double precision
 * measures the whole sum's error (2e-7 of the largest sum with 128).
 */
const BLOCK = 32;

/** The SIMD functions compiled once per wasm module (its exported memory); null without WebAssembly SIMD. */
const compiledTiles = perWasmModule(compileSumTiles);
let simdDisabled = false;
let simdCalls = 0;

/** For tests and benchmarks: force the JavaScript loop, to compare it with the SIMD one. */
export function setLeadingSumSimd(enabled: boolean): void {
  simdDisabled = !enabled;
}

/** For tests: how many sums the SIMD loop has computed (so a test knows which path it checked). */
export function leadingSumSimdCalls(): number {
  return simdCalls;
}

function simdTilesFor(backend: HeapBackend): SumTiles | null {
  return simdDisabled ? null : compiledTiles(backend);
}

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
    const tiles = simdTilesFor(backend);
    const out = backend.makeOutput(outShape, 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [src, dst] = heapIndices(backend, x, out);
    const acc = new Float64Array(width);
    const simdColumns = tiles === null ? 0 : width - (width % 4);
    if (simdColumns > 0) {
      blockSums(tiles!, heap, src, dst, rows, width, simdColumns, acc);
      simdCalls++;
    }
    if (simdColumns < width) {
      for (let r = 0, at = src; r < rows; r++, at += width) {
        for (let c = simdColumns; c < width; c++) acc[c]! += heap[at + c]!;
      }
    }
    for (let c = 0; c < width; c++) heap[dst + c] = acc[c]!;
    return out;
  };
  return kernel as unknown as KernelFunc;
}

/**
 * acc[c] += the sum of column c < columns (a multiple of 4) over `rows` rows of `width` floats from src, by the
 * SIMD tiles in float32 per block of BLOCK rows and stripe of up to 4 * MAX_VECTORS columns; each block's sums land
 * in the output (dst, float indices) and are added to acc in double precision.
 */
function blockSums(
  tiles: SumTiles,
  heap: Float32Array,
  src: number,
  dst: number,
  rows: number,
  width: number,
  columns: number,
  acc: Float64Array,
): void {
  for (let r = 0; r < rows; r += BLOCK) {
    const n = Math.min(BLOCK, rows - r);
    for (let c = 0; c < columns; c += 4 * MAX_VECTORS) {
      const vectors = Math.min(MAX_VECTORS, (columns - c) / 4);
      tiles[vectors - 1]!((src + r * width + c) * 4, (dst + c) * 4, n, width * 4);
    }
    for (let c = 0; c < columns; c++) acc[c]! += heap[dst + c]!;
  }
}
