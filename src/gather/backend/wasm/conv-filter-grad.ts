import { tf } from '../../tf.js';
import {
  callKernel,
  wasmKernelOverridesEnabled,
  type ConvGradAttrs,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  heapAddress,
  heapIndices,
} from './kernel-types.js';
import { filterGradDirect, filterTilesFor } from './filter-grad-direct.js';
import { filterGradWinograd, winogradApplies, winogradFor } from './conv-winograd.js';
import { dyMatches } from './tap-boxes.js';

interface FilterGradAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

/**
 * The wasm backend has no Conv2DBackpropFilter. With WebAssembly SIMD and output channels a multiple of 4 (every
 * conv in the bench models), it is a direct SIMD loop (filter-grad-direct.ts): 3-15x faster than the older paths
 * kept here for other shapes. Short receptive fields (1x1 convs, single-channel inputs) are one matrix product:
 *   dW^T[co, (kh, kw, ci)] = sum over n = (b, oh, ow) of dy^T[co, n] * P[n, (kh, kw, ci)]
 * with P the im2col matrix of x (each output position's receptive field, zeros where it reaches into the padding),
 * written here channels innermost, so every copy is a contiguous run of x. dy is transposed by wasm's Transpose and
 * multiplied by wasm's BatchMatMul (XNNPACK); the small [CO, K] product is turned into [KH, KW, CI, CO] here.
 * Wider receptive fields use the conv2d composition; NCHW uses `fallback` (the cpu bridge).
 */
export function conv2dBackpropFilterViaMatMul(fallback: KernelFunc): KernelFunc {
  const composed = conv2dBackpropFilterViaConv(fallback);
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const a = args.attrs as unknown as FilterGradAttrs;
    const { x, dy } = args.inputs as unknown as { x: TensorInfo; dy: TensorInfo };
    const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
    const matMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
    // Switched off, the composition stays (as before this kernel): the cpu bridge takes about a second a call here.
    if (
      !wasmKernelOverridesEnabled() ||
      a.dataFormat !== 'NHWC' ||
      x.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      !transpose ||
      !matMul
    )
      return composed(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const [KH, KW, CI, CO] = a.filterShape;
    const N = info.batchSize * info.outHeight * info.outWidth;
    const K = KH * KW * CI;
    const tiles = forcedPath === 'im2col' || forcedPath === 'composed' ? null : filterTilesFor(backend);
    if (tiles !== null && dyMatches(dy, info) && winogradGradients && winogradApplies(info)) {
      const transforms = winogradFor(backend);
      if (transforms !== null) return filterGradWinograd(backend, tiles, transforms, x, dy, info);
    }
    if (tiles !== null && CO % 4 === 0 && dyMatches(dy, info)) return filterGradDirect(backend, tiles, x, dy, info);
    // Measured (kernel-micro, CPU time per call, load ~10): the product wins where the receptive field is short
    // (1x1 16->32 stride 2: 2.0-2.5 ms against 7.1 for the composition; 3x3 1->16: 6.7-8.1 against 8.0) and loses on
    // 3x3 16->32 (11-13 ms against 9-11), where writing the 144-wide im2col matrix costs more than it saves.
    if (forcedPath === 'composed' || (K > MAX_IM2COL_WIDTH && forcedPath !== 'im2col')) return composed(args);
    const patches = im2col(backend, x, info, N);
    const temporaries: TensorInfo[] = [patches];
    try {
      const dyT = callKernel(transpose, backend, { x: { ...dy, shape: [1, N, CO] } }, { perm: [0, 2, 1] });
      temporaries.push(dyT);
      const product = callKernel(matMul, backend, { a: dyT, b: patches }, { transposeA: false, transposeB: false });
      temporaries.push(product);
      const out = backend.makeOutput(a.filterShape, 'float32');
      const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
      const [src, dst] = heapIndices(backend, product, out);
      for (let k = 0; k < K; k++) {
        for (let co = 0; co < CO; co++) heap[dst + k * CO + co] = heap[src + co * K + k]!;
      }
      return out;
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId, true);
    }
  };
  return kernel as unknown as KernelFunc;
}

let winogradGradients = true;

/** For tests and benchmarks: the direct SIMD loop for the 3x3 stride-1 filter gradients too. */
export function setFilterGradWinograd(enabled: boolean): void {
  winogradGradients = enabled;
}

type FilterGradPath = 'auto' | 'im2col' | 'composed';
let forcedPath: FilterGradPath = 'auto';

/** For tests and kernel-micro: force one of the older paths (im2col product, conv2d composition) where it applies. */
export function setFilterGradPath(path: FilterGradPath): void {
  forcedPath = path;
}

/** Receptive fields up to this many values (kh * kw * ci) use the im2col product; wider ones the composition. */
const MAX_IM2COL_WIDTH = 32;

/**
 * The earlier composition, kept for wide receptive fields: x with the batch moved to channels, convolved with dy as
 * a filter dilated by the stride (wasm's XNNPACK conv2d). Nested ops inside a kernel are not taped.
 */
function conv2dBackpropFilterViaConv(fallback: KernelFunc): KernelFunc {
  const composed = (args: KernelArgs) => {
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const inputs = args.inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    if (attrs.dataFormat !== 'NHWC' || !(inputs.x instanceof tf.Tensor) || !(inputs.dy instanceof tf.Tensor))
      return fallback(args);
    const [kh, kw, ci, co] = attrs.filterShape;
    const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
    const info = tf.backend_util.computeConv2DInfo(
      inputs.x.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    return tf.tidy(() => {
      const { top, bottom, left, right } = info.padInfo;
      const xp =
        top || bottom || left || right
          ? tf.pad(inputs.x, [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ])
          : inputs.x;
      const xT = tf.transpose(xp, [3, 1, 2, 0]);
      const dyT = tf.transpose(inputs.dy, [1, 2, 0, 3]);
      const r = tf.conv2d(xT as tf.Tensor4D, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', [sh, sw]);
      return tf.transpose(tf.slice(r, [0, 0, 0, 0], [ci, kh, kw, co]), [1, 2, 0, 3]);
    });
  };
  return composed as unknown as KernelFunc;
}

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** P[n, (kh, kw, ci)] as a [1, N, K] tensor: x's receptive field of output position n, zeros outside x. */
function im2col(backend: HeapBackend, x: TensorInfo, info: ConvInfo, N: number): TensorInfo {
  const out = backend.makeOutput([1, N, info.filterHeight * info.filterWidth * info.inChannels], 'float32');
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const src = heapAddress(backend, x) / 4;
  let p = heapAddress(backend, out) / 4;
  const [B, H, W, C, OH, OW, KH, KW, sh, sw, top, left] = [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
  const rowLength = KW * C;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = oh * sh - top;
      for (let ow = 0; ow < OW; ow++) {
        const c0 = ow * sw - left;
        // Columns of the window inside x: [cs, ce), the same for every window row.
        const cs = Math.max(0, c0);
        const ce = Math.min(W, c0 + KW);
        for (let kh = 0; kh < KH; kh++) {
          const r = r0 + kh;
          if (r < 0 || r >= H || ce <= cs) {
            heap.fill(0, p, p + rowLength);
          } else {
            const before = (cs - c0) * C;
            const inside = (ce - cs) * C;
            if (before > 0) heap.fill(0, p, p + before);
            const from = src + ((b * H + r) * W + cs) * C;
            for (let i = 0; i < inside; i++) heap[p + before + i] = heap[from + i]!;
            if (before + inside < rowLength) heap.fill(0, p + before + inside, p + rowLength);
          }
          p += rowLength;
        }
      }
    }
  }
  return out;
}
