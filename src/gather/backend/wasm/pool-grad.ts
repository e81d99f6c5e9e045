import { tf } from '../../tf.js';
import {
  perWasmModule,
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  heapAddress,
} from './kernel-types.js';
import { compilePoolTiles, poolScatterSimd, type PoolTiles, windowsTileInput } from './pool-grad-simd.js';

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

/**
 * tfjs-backend-wasm 4.22's MaxPoolGrad and AvgPoolGrad visit every input position and, for each, every output window
 * covering it; MaxPoolGrad re-finds each window's maximum once per position it covers. These kernels walk the
 * output windows once instead, channels innermost (NHWC keeps them contiguous), and add each window's gradient to
 * its maximum (or spread it over the window), in a JavaScript loop over the wasm heap. Same results as tfjs'
 * cpu kernels: the maximum is the first strictly greater value in row-major window order (ties go to the first,
 * NaN never wins, an all-NaN or all -Infinity window passes no gradient); padded positions are skipped, and the
 * average divides by the full filter size, padding included. Overlapping windows add up in the same order as cpu.
 *
 * Channels in fours run as WebAssembly SIMD loops (pool-grad-simd.ts): the JavaScript max loop was 6.2 ms of a
 * 42 ms Fashion-MNIST CNN step (nnaudit issue #25). The JavaScript loops keep the rest (a channel count's
 * remainder after the fours, runtimes without WebAssembly SIMD).
 */
export function registerPoolGrads(): string[] {
  const names: string[] = [];
  if (replaceWasmKernel('MaxPoolGrad', (original) => poolGrad(original, 'max'))) names.push('MaxPoolGrad');
  if (replaceWasmKernel('AvgPoolGrad', (original) => poolGrad(original, 'avg'))) names.push('AvgPoolGrad');
  return names;
}

function poolGrad(original: KernelFunc, kind: 'max' | 'avg'): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { dy, input } = args.inputs as unknown as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as PoolGradAttrs;
    if (
      !wasmKernelOverridesEnabled() ||
      input.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      input.shape.length !== 4
    )
      return original(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    // The loops read dy by the extents the attributes derive: any other dy goes to a kernel that checks.
    if (!tf.util.arraysEqual(dy.shape, info.outShape)) return original(args);
    const tiles = simdTilesFor(backend);
    const dx = backend.makeOutput(input.shape, 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [x, g, d] = [heapAddress(backend, input), heapAddress(backend, dy), heapAddress(backend, dx)];
    const vectors = tiles === null ? 0 : info.inChannels >> 2;
    // Windows that tile the input, all channels in the SIMD loop: it writes every element of dx.
    const store = kind === 'max' && 4 * vectors === info.inChannels && windowsTileInput(info);
    if (!store) heap.fill(0, d / 4, d / 4 + tf.util.sizeFromShape(input.shape));
    if (vectors > 0) {
      poolScatterSimd(tiles!, store ? 'maxStore' : kind, x, g, d, info, vectors);
      simdCalls++;
    }
    if (4 * vectors < info.inChannels) {
      if (kind === 'max') maxScatter(heap, x / 4, g / 4, d / 4, info, 4 * vectors);
      else avgScatter(heap, g / 4, d / 4, info, 4 * vectors);
    }
    return dx;
  };
  return kernel as unknown as KernelFunc;
}

/** The SIMD functions compiled once per wasm module (its exported memory); null without WebAssembly SIMD. */
const compiledTiles = perWasmModule(compilePoolTiles);
let simdDisabled = false;
let simdCalls = 0;

/** For tests and benchmarks: force the JavaScript loops, to compare them with the SIMD ones. */
export function setPoolGradSimd(enabled: boolean): void {
  simdDisabled = !enabled;
}

/** For tests: how many pooling gradients the SIMD loops have computed (so a test knows which path it checked). */
export function poolGradSimdCalls(): number {
  return simdCalls;
}

function simdTilesFor(backend: HeapBackend): PoolTiles | null {
  return simdDisabled ? null : compiledTiles(backend);
}

/** Per-channel running maxima and their heap indices, reused across calls (grown when a layer has more channels). */
const scratch = { best: new Float32Array(64), where: new Int32Array(64) };

/**
 * Channels [d0, C) of the max gradient (x, dy, dx: float indices). Every loop bound is a local: V8 keeps locals in
 * registers, property reads stay in the loop.
 */
function maxScatter(heap: Float32Array, x: number, dy: number, dx: number, p: PoolInfo, d0: number): void {
  const C = p.inChannels;
  if (scratch.best.length < C) {
    scratch.best = new Float32Array(C);
    scratch.where = new Int32Array(C);
  }
  const { best, where } = scratch;
  const [B, H, W, OH, OW, sh, sw, fh, fw, top, left] = [
    p.batchSize,
    p.inHeight,
    p.inWidth,
    p.outHeight,
    p.outWidth,
    p.strideHeight,
    p.strideWidth,
    p.effectiveFilterHeight,
    p.effectiveFilterWidth,
    p.padInfo.top,
    p.padInfo.left,
  ];
  const rowStride = W * C;
  const shift = dx - x;
  let g = dy; // walks dy in its own (b, yR, yC) order, C floats a step
  for (let b = 0; b < B; b++) {
    const batchBase = x + b * H * rowStride;
    for (let yR = 0; yR < OH; yR++) {
      const rCorner = yR * sh - top;
      const r0 = Math.max(0, rCorner);
      const r1 = Math.min(H, rCorner + fh);
      for (let yC = 0; yC < OW; yC++) {
        const cCorner = yC * sw - left;
        const c0 = Math.max(0, cCorner);
        const c1 = Math.min(W, cCorner + fw);
        for (let d = d0; d < C; d++) {
          best[d] = -Infinity;
          where[d] = -1;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = batchBase + r * rowStride + c * C;
            for (let d = d0; d < C; d++) {
              const v = heap[base + d]!;
              if (v > best[d]!) {
                best[d] = v;
                where[d] = base + d;
              }
            }
          }
        }
        for (let d = d0; d < C; d++) {
          const w = where[d]!;
          if (w >= 0) heap[w + shift] = heap[w + shift]! + heap[g + d]!;
        }
        g += C;
      }
    }
  }
}

/** Channels [d0, C) of the average gradient (dy, dx: float indices). */
function avgScatter(heap: Float32Array, dy: number, dx: number, p: PoolInfo, d0: number): void {
  const C = p.inChannels;
  const scale = 1 / (p.filterHeight * p.filterWidth);
  const [rowStride, batchStride] = [p.inWidth * C, p.inHeight * p.inWidth * C];
  let g = dy;
  for (let b = 0; b < p.batchSize; b++) {
    for (let yR = 0; yR < p.outHeight; yR++) {
      const rCorner = yR * p.strideHeight - p.padInfo.top;
      const r0 = Math.max(0, rCorner);
      const r1 = Math.min(p.inHeight, rCorner + p.effectiveFilterHeight);
      for (let yC = 0; yC < p.outWidth; yC++, g += C) {
        const cCorner = yC * p.strideWidth - p.padInfo.left;
        const c0 = Math.max(0, cCorner);
        const c1 = Math.min(p.inWidth, cCorner + p.effectiveFilterWidth);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = dx + b * batchStride + r * rowStride + c * C;
            for (let d = d0; d < C; d++) heap[base + d] = heap[base + d]! + heap[g + d]! * scale;
          }
        }
      }
    }
  }
}
