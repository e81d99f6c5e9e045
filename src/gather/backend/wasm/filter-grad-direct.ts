import type { tf } from '../../tf.js';
import { compileFilterTiles, type FilterTiles } from './filter-grad-simd.js';
import type { HeapBackend, TensorInfo } from './kernel-types.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type SimdBackend = HeapBackend & { wasm: HeapBackend['wasm'] & { asm?: { memory?: unknown } } };

/**
 * Bytes of x and dy per batch chunk: every tap and tile sweeps the chunk again, so it should stay in the core's
 * cache (512 KB of L2 on this machine's EPYC); at least one image either way.
 */
const CHUNK_BYTES = 192 * 1024;

/** The tile functions compiled once per wasm module (its exported memory); null without WebAssembly SIMD. */
const compiled = new WeakMap<object, FilterTiles | null>();

export function filterTilesFor(backend: HeapBackend): FilterTiles | null {
  const module = (backend as SimdBackend).wasm;
  if (!compiled.has(module)) compiled.set(module, compileFilterTiles(module.asm?.memory));
  return compiled.get(module)!;
}

/**
 * dW of an NHWC float32 conv as [KH, KW, CI, CO], by the SIMD tiles (filter-grad-simd.ts). CO must be a multiple
 * of 4 (the tiles write whole vectors of output channels); the caller checks.
 */
export function filterGradDirect(
  backend: HeapBackend,
  tiles: FilterTiles,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([KH, KW, CI, CO], 'float32');
  const dwBase = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  new Float32Array(backend.wasm.HEAPU8.buffer, dwBase, KH * KW * CI * CO).fill(0);
  const xBase = backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const dyBase = backend.dataIdMap.get(dy.dataId)!.memoryOffset;
  // Byte steps: per image, per output row, per output column, in x and dy.
  const [xbs, xhs, xws] = [H * W * CI * 4, sh * W * CI * 4, sw * CI * 4];
  const [dybs, dyhs, dyws] = [OH * OW * CO * 4, OW * CO * 4, CO * 4];
  // Output positions whose tap k reaches inside x (length n along an axis of stride s, padding p): [lo, hi).
  const inside = (k: number, p: number, s: number, n: number, outN: number): [number, number] => [
    Math.max(0, Math.ceil((p - k) / s)),
    Math.min(outN, Math.floor((n - 1 + p - k) / s) + 1),
  ];
  for (const [b0, nb, r0, r1] of cacheBoxes(B, OH, xbs + dybs, sh * W * CI * 4 + dyhs)) {
    for (let kh = 0; kh < KH; kh++) {
      const [lo, hi] = inside(kh, top, sh, H, OH);
      const [oh0, oh1] = [Math.max(lo, r0), Math.min(hi, r1)];
      if (oh1 <= oh0) continue;
      for (let kw = 0; kw < KW; kw++) {
        const [ow0, ow1] = inside(kw, left, sw, W, OW);
        if (ow1 <= ow0) continue;
        const xAt = xBase + b0 * xbs + ((oh0 * sh + kh - top) * W + (ow0 * sw + kw - left)) * CI * 4;
        const dyAt = dyBase + b0 * dybs + (oh0 * OW + ow0) * CO * 4;
        const dwAt = dwBase + (kh * KW + kw) * CI * CO * 4;
        for (let ci = 0; ci < CI; ci += 4) {
          const row = tiles[Math.min(4, CI - ci) - 1]!;
          for (let co = 0; co < CO; co += 8) {
            const fn = row[Math.min(8, CO - co) / 4 - 1]!;
            fn(
              xAt + ci * 4,
              dyAt + co * 4,
              dwAt + (ci * CO + co) * 4,
              nb,
              xbs,
              dybs,
              oh1 - oh0,
              xhs,
              dyhs,
              ow1 - ow0,
              xws,
              dyws,
              CO * 4,
            );
          }
        }
      }
    }
  }
  return out;
}

/**
 * The batch cut into boxes [first image, images, first output row, end row) whose x and dy stay in cache: whole
 * images while one fits (tiny-resnet: 4-5 images of 14x14x16 and x32), else bands of output rows within one image
 * (MobileNetV2's 112x112x96 dy is 4.8 MB an image: swept whole, 12 tiles a tap ran at a third of the speed).
 */
export function cacheBoxes(
  images: number,
  rows: number,
  imageBytes: number,
  rowBytes: number,
): Array<[number, number, number, number]> {
  const boxes: Array<[number, number, number, number]> = [];
  if (imageBytes <= CHUNK_BYTES) {
    const chunk = Math.floor(CHUNK_BYTES / imageBytes);
    for (let b = 0; b < images; b += chunk) boxes.push([b, Math.min(chunk, images - b), 0, rows]);
    return boxes;
  }
  const band = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  for (let b = 0; b < images; b++) {
    for (let r = 0; r < rows; r += band) boxes.push([b, 1, r, Math.min(rows, r + band)]);
  }
  return boxes;
}
