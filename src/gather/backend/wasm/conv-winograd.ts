import type { tf } from '../../tf.js';
import { type ForwardTiles, vectorsFor } from './conv-forward-simd.js';
import { alignedScratch, type HeapBackend, heapAddress, perWasmModule, type TensorInfo } from './kernel-types.js';
import { compileWinogradTransforms, type WinogradTransforms } from './winograd-simd.js';
import type { FilterTiles } from './filter-grad-simd.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The transforms compiled once per tfjs wasm module; null without WebAssembly SIMD. */
export const winogradFor = perWasmModule(compileWinogradTransforms);

/**
 * Whether a conv runs as Winograd F(2x2, 3x3): 3x3, stride 1, no dilation, an even output (whole 2x2 tiles),
 * channels in whole vectors, and at most 2 rows or columns of padding before the input (the padded tile grid).
 * These are the 3x3 convs of ResNet-style blocks, and their stride-1 input gradients (the same convolution with the
 * filter turned, conv-input-grad.ts).
 */
export function winogradApplies(info: ConvInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.outHeight % 2 === 0 &&
    info.outWidth % 2 === 0 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    info.padInfo.top >= 0 &&
    info.padInfo.left >= 0 &&
    info.padInfo.top <= 2 &&
    info.padInfo.left <= 2
  );
}

/** Bytes of transformed input and products per block of images: kept within the core's L2 between the passes. */
const BLOCK_BYTES = 512 * 1024;

/** The 2x2 output tiles (TH by TW, T in all), the zero-padded input they read (PH by PW), and images per block. */
function tileGrid(info: ConvInfo): { TH: number; TW: number; T: number; PH: number; PW: number; nb: number } {
  const { batchSize: B, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const [TH, TW] = [OH / 2, OW / 2];
  const T = TH * TW;
  const nb = Math.max(1, Math.min(B, Math.floor(BLOCK_BYTES / (T * 16 * (CI + CO) * 4))));
  return { TH, TW, T, PH: OH + 2, PW: OW + 2, nb };
}

let calls = 0;

/** For tests: how many convolutions ran as Winograd (so a test knows which path it checked). */
export function winogradCalls(): number {
  return calls;
}

/**
 * y = conv(x, W) + bias (then max(0, .) when relu) by Winograd's F(2x2, 3x3): the 16 products per 2x2 output tile
 * take 16 matrix products of CI by CO (4 multiplies per output and channel pair, against 9 for the direct loop),
 * with the input and output transforms as SIMD passes (winograd-simd.ts) and the products by the direct conv's
 * tiles as 1x1 convolutions. Per block of images: the input copied into a zero-padded buffer, transformed into 16
 * planes V[xi][tile][ci], multiplied by U[xi] = G g G^T into M[xi][tile][co], transformed back into y.
 *
 * Rounding: the transforms add and subtract a few terms before and after the products, so the sums differ from
 * the direct loop's in the last bits (relative differences about 1e-6 on unit-scale data, tested against cpu).
 */
export function convWinograd(
  backend: HeapBackend,
  tiles: ForwardTiles,
  transforms: WinogradTransforms,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  info: ConvInfo,
  relu: boolean,
): TensorInfo {
  const { batchSize: B, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { TH, TW, T, PH, PW, nb } = tileGrid(info);
  const out = backend.makeOutput([B, OH, OW, CO], 'float32');
  const sizes = [16 * CI * CO, CO, 2, nb * PH * PW * CI, 16 * nb * T * CI, 16 * nb * T * CO];
  const { scratch, regions } = alignedScratch(backend, sizes);
  try {
    // Views after the allocations (they may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [uAt, zeroAt, tableAt, padAt, vAt, mAt] = regions as [number, number, number, number, number, number];
    transformFilter(heap, heapAddress(backend, filter) / 4, uAt / 4, CI, CO);
    heap.fill(0, zeroAt / 4, zeroAt / 4 + CO);
    new Int32Array(backend.wasm.HEAPU8.buffer, tableAt, 2).set([0, 0]); // one tap: the pixel itself
    heap.fill(0, padAt / 4, padAt / 4 + nb * PH * PW * CI);
    const [xBase, yBase] = [heapAddress(backend, x), heapAddress(backend, out)];
    const biasAt = bias === null ? zeroAt : heapAddress(backend, bias);
    const cv = vectorsFor(CO, tiles);
    const { pixels: P, fns } = tiles.get(cv)!;
    for (let b0 = 0; b0 < B; b0 += nb) {
      const n = Math.min(nb, B - b0);
      padBlock(transforms, info, xBase, padAt, b0, n);
      const [planeV, planeM] = [n * T * CI * 4, n * T * CO * 4];
      transforms.input(padAt, vAt, n, TH, TW, CI / 4, PH * PW * CI * 4, PW * CI * 4, CI * 4, planeV);
      const ng = Math.floor((n * T) / P);
      const rest = n * T - ng * P;
      for (let xi = 0; xi < 16; xi++) {
        for (let c = 0; c < CO; c += 4 * cv) {
          const [v, u, m, z] = [
            vAt + xi * planeV,
            uAt + (xi * CI * CO + c) * 4,
            mAt + xi * planeM + c * 4,
            zeroAt + c * 4,
          ];
          if (ng > 0) fns[P - 1]!(v, u, m, z, 1, 0, 0, ng, CI * 4, CO * 4, tableAt, 1, CI, CO * 4, 0);
          if (rest > 0)
            fns[rest - 1]!(
              v + ng * P * CI * 4,
              u,
              m + ng * P * CO * 4,
              z,
              1,
              0,
              0,
              1,
              CI * 4,
              CO * 4,
              tableAt,
              1,
              CI,
              CO * 4,
              0,
            );
        }
      }
      transforms.output(
        mAt,
        yBase + b0 * OH * OW * CO * 4,
        biasAt,
        n,
        TH,
        TW,
        CO / 4,
        planeM,
        OH * OW * CO * 4,
        OW * CO * 4,
        CO * 4,
        relu ? 1 : 0,
      );
    }
    calls++;
    return out;
  } finally {
    backend.disposeData(scratch.dataId, true);
  }
}

/**
 * Copies images b0 .. b0 + n - 1 of x into the zero-padded tile grid at padAt ([n, OH + 2, OW + 2, CI]: padded
 * (r, c) is x (r - top, c - left)); the padding itself is zeroed once by the caller and never written.
 */
function padBlock(t: WinogradTransforms, info: ConvInfo, xBase: number, padAt: number, b0: number, n: number): void {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { top, left } = info.padInfo;
  const [PH, PW] = [OH + 2, OW + 2];
  const [c0, c1] = [left, Math.min(PW, W + left)];
  const [r0, r1] = [top, Math.min(PH, H + top)];
  if (r1 <= r0 || c1 <= c0) return;
  t.copy(
    xBase + ((b0 * H + r0 - top) * W + c0 - left) * CI * 4,
    padAt + (r0 * PW + c0) * CI * 4,
    n,
    r1 - r0,
    ((c1 - c0) * CI) / 4,
    H * W * CI * 4,
    W * CI * 4,
    PH * PW * CI * 4,
    PW * CI * 4,
  );
}

let gradientCalls = 0;

/** For tests: how many filter gradients ran as Winograd. */
export function winogradFilterGradCalls(): number {
  return gradientCalls;
}

/**
 * dW [3, 3, CI, CO] of a conv winogradApplies() to, by F(2x2, 3x3) run backwards: per 2x2 tile of dy,
 * E = A dY A^T (winograd-simd.ts' wd) and V = B^T d B of the input patch; dU[xi] = sum over tiles of
 * V[xi][tile]^T E[xi][tile] (16 products of CI by CO, by the direct filter gradient's tiles: 16 multiply-adds a tile
 * where the direct loop does 36); then dW = G^T dU G in double precision.
 */
export function filterGradWinograd(
  backend: HeapBackend,
  tiles: FilterTiles,
  transforms: WinogradTransforms,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize: B, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { TH, TW, T, PH, PW, nb } = tileGrid(info);
  const out = backend.makeOutput([3, 3, CI, CO], 'float32');
  const { scratch, regions } = alignedScratch(backend, [
    16 * CI * CO,
    nb * PH * PW * CI,
    16 * nb * T * CI,
    16 * nb * T * CO,
  ]);
  try {
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [duAt, padAt, vAt, eAt] = regions as [number, number, number, number];
    heap.fill(0, duAt / 4, duAt / 4 + 16 * CI * CO);
    heap.fill(0, padAt / 4, padAt / 4 + nb * PH * PW * CI);
    const [xBase, dyBase] = [heapAddress(backend, x), heapAddress(backend, dy)];
    for (let b0 = 0; b0 < B; b0 += nb) {
      const n = Math.min(nb, B - b0);
      padBlock(transforms, info, xBase, padAt, b0, n);
      const [planeV, planeE] = [n * T * CI * 4, n * T * CO * 4];
      transforms.input(padAt, vAt, n, TH, TW, CI / 4, PH * PW * CI * 4, PW * CI * 4, CI * 4, planeV);
      const dyAt = dyBase + b0 * OH * OW * CO * 4;
      transforms.gradient(dyAt, eAt, n, TH, TW, CO / 4, OH * OW * CO * 4, OW * CO * 4, CO * 4, planeE);
      for (let xi = 0; xi < 16; xi++) {
        for (let ci = 0; ci < CI; ci += 4) {
          const row = tiles[3]!;
          for (let co = 0; co < CO; co += 8) {
            const fn = row[Math.min(8, CO - co) / 4 - 1]!;
            const dw = duAt + (xi * CI * CO + ci * CO + co) * 4;
            fn(
              vAt + xi * planeV + ci * 4,
              eAt + xi * planeE + co * 4,
              dw,
              1,
              0,
              0,
              1,
              0,
              0,
              n * T,
              CI * 4,
              CO * 4,
              CO * 4,
            );
          }
        }
      }
    }
    untransformGradient(heap, duAt / 4, heapAddress(backend, out) / 4, CI, CO);
    gradientCalls++;
    return out;
  } finally {
    backend.disposeData(scratch.dataId, true);
  }
}

/** dW[kh][kw][ci][co] = (G^T dU G)[kh][kw], G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]. */
function untransformGradient(heap: Float32Array, duAt: number, outAt: number, CI: number, CO: number): void {
  const g3 = (a: number, b: number, c: number, d: number): [number, number, number] => [
    a + (b + c) / 2,
    (b - c) / 2,
    (b + c) / 2 + d,
  ];
  const plane = CI * CO;
  for (let k = 0; k < plane; k++) {
    const du = (i: number, j: number) => heap[duAt + (i * 4 + j) * plane + k]!;
    const rows = [0, 1, 2, 3].map((i) => g3(du(i, 0), du(i, 1), du(i, 2), du(i, 3)));
    for (let kw = 0; kw < 3; kw++) {
      const col = g3(rows[0]![kw]!, rows[1]![kw]!, rows[2]![kw]!, rows[3]![kw]!);
      for (let kh = 0; kh < 3; kh++) heap[outAt + (kh * 3 + kw) * plane + k] = col[kh]!;
    }
  }
}

/** U[xi][ci][co] = (G g G^T)[xi / 4][xi % 4] for each 3x3 g = W[., ., ci, co], in double precision. */
function transformFilter(heap: Float32Array, filterAt: number, uAt: number, CI: number, CO: number): void {
  // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], applied to three values.
  const g4 = (a: number, b: number, c: number): [number, number, number, number] => [
    a,
    (a + b + c) / 2,
    (a - b + c) / 2,
    c,
  ];
  const plane = CI * CO;
  for (let ci = 0; ci < CI; ci++) {
    for (let co = 0; co < CO; co++) {
      const g = (kh: number, kw: number) => heap[filterAt + (kh * 3 + kw) * plane + ci * CO + co]!;
      // Gg: 4 rows of 3 (G applied down each filter column), then each row times G^T.
      const cols = [0, 1, 2].map((kw) => g4(g(0, kw), g(1, kw), g(2, kw)));
      for (let i = 0; i < 4; i++) {
        const row = g4(cols[0]![i]!, cols[1]![i]!, cols[2]![i]!);
        for (let j = 0; j < 4; j++) heap[uAt + (i * 4 + j) * plane + ci * CO + co] = row[j]!;
      }
    }
  }
}
