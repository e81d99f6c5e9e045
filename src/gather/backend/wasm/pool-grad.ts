import { tf } from '../../tf.js';
import {
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  type WasmBackend,
  heapAddress,
} from './kernel-types.js';

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
    const dx = backend.makeOutput(input.shape, 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const at = (t: TensorInfo) => heapAddress(backend, t) / 4;
    const dxAt = at(dx);
    heap.fill(0, dxAt, dxAt + tf.util.sizeFromShape(input.shape));
    if (kind === 'max') maxScatter(heap, at(input), at(dy), dxAt, info);
    else avgScatter(heap, at(dy), dxAt, info);
    return dx;
  };
  return kernel as unknown as KernelFunc;
}

/** Per-channel running maxima and their heap indices, reused across calls (grown when a layer has more channels). */
const scratch = { best: new Float32Array(64), where: new Int32Array(64) };

/** Every loop bound is a local: V8 keeps locals in registers, property reads stay in the loop. */
function maxScatter(heap: Float32Array, x: number, dy: number, dx: number, p: PoolInfo): void {
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
  let g = dy; // walks dy in its own (b, yR, yC, d) order
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
        for (let d = 0; d < C; d++) {
          best[d] = -Infinity;
          where[d] = -1;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = batchBase + r * rowStride + c * C;
            for (let d = 0; d < C; d++) {
              const v = heap[base + d]!;
              if (v > best[d]!) {
                best[d] = v;
                where[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < C; d++, g++) {
          const w = where[d]!;
          if (w >= 0) heap[w + shift] = heap[w + shift]! + heap[g]!;
        }
      }
    }
  }
}

function avgScatter(heap: Float32Array, dy: number, dx: number, p: PoolInfo): void {
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
            for (let d = 0; d < C; d++) heap[base + d] = heap[base + d]! + heap[g + d]! * scale;
          }
        }
      }
    }
  }
}
