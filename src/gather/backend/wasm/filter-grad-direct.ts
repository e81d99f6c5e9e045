import type { tf } from '../../tf.js';
import { compileFilterTiles, type FilterTiles } from './filter-grad-simd.js';
import { type HeapBackend, heapAddress, perWasmModule, type TensorInfo } from './kernel-types.js';
import { tapBoxes } from './tap-boxes.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The tile functions compiled once per wasm module (its exported memory); null without WebAssembly SIMD. */
export const filterTilesFor = perWasmModule(compileFilterTiles);

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
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: sh, strideWidth: sw } = info;
  const out = backend.makeOutput([KH, KW, CI, CO], 'float32');
  const dwBase = heapAddress(backend, out);
  new Float32Array(backend.wasm.HEAPU8.buffer, dwBase, KH * KW * CI * CO).fill(0);
  const xBase = heapAddress(backend, x);
  const dyBase = heapAddress(backend, dy);
  // Byte steps: per image, per output row, per output column, in x and dy.
  const [xbs, xhs, xws] = [H * W * CI * 4, sh * W * CI * 4, sw * CI * 4];
  const [dybs, dyhs, dyws] = [OH * OW * CO * 4, OW * CO * 4, CO * 4];
  for (const box of tapBoxes(info, xbs + dybs, xhs + dyhs)) {
    const xAt = xBase + box.xPixel * CI * 4;
    const dyAt = dyBase + box.dyPixel * CO * 4;
    const dwAt = dwBase + box.tap * CI * CO * 4;
    for (let ci = 0; ci < CI; ci += 4) {
      const row = tiles[Math.min(4, CI - ci) - 1]!;
      for (let co = 0; co < CO; co += 8) {
        const fn = row[Math.min(8, CO - co) / 4 - 1]!;
        fn(
          xAt + ci * 4,
          dyAt + co * 4,
          dwAt + (ci * CO + co) * 4,
          box.nb,
          xbs,
          dybs,
          box.nh,
          xhs,
          dyhs,
          box.nw,
          xws,
          dyws,
          CO * 4,
        );
      }
    }
  }
  return out;
}
