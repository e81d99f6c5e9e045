import type { tf } from '../../tf.js';
import { compileDepthwiseTiles, type DepthwiseTile, type DepthwiseTiles } from './depthwise-simd.js';
import { type HeapBackend, heapAddress, perWasmModule, type TensorInfo } from './kernel-types.js';
import { tapBoxes } from './tap-boxes.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The tile functions compiled once per wasm module (its exported memory); null without WebAssembly SIMD. */
export const depthwiseTilesFor = perWasmModule(compileDepthwiseTiles);

/**
 * Runs `fns` (filter or input tiles, depthwise-simd.ts) over every tap box, 16 channels a call: `a` is x or dx,
 * `w` dW or W, all [.., C] with C a multiple of 4 (the caller checks). Returns nothing: the tiles write in place.
 */
function sweep(
  backend: HeapBackend,
  fns: DepthwiseTile[],
  a: TensorInfo,
  dy: TensorInfo,
  w: TensorInfo,
  info: ConvInfo,
) {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const at = (t: TensorInfo) => heapAddress(backend, t);
  const [aBase, dyBase, wBase] = [at(a), at(dy), at(w)];
  const [abs, ahs, aws] = [H * W * C * 4, sh * W * C * 4, sw * C * 4];
  const [dybs, dyhs, dyws] = [OH * OW * C * 4, OW * C * 4, C * 4];
  for (const box of tapBoxes(info, abs + dybs, ahs + dyhs)) {
    for (let c = 0; c < C; c += 16) {
      const fn = fns[Math.min(16, C - c) / 4 - 1]!;
      const [aAt, dyAt, wAt] = [
        aBase + (box.xPixel * C + c) * 4,
        dyBase + (box.dyPixel * C + c) * 4,
        wBase + (box.tap * C + c) * 4,
      ];
      fn(aAt, dyAt, wAt, box.nb, abs, dybs, box.nh, ahs, dyhs, box.nw, aws, dyws);
    }
  }
}

const zeroed = (backend: HeapBackend, shape: number[]): TensorInfo => {
  const out = backend.makeOutput(shape, 'float32');
  const size = shape.reduce((p, d) => p * d, 1);
  new Float32Array(backend.wasm.HEAPU8.buffer, heapAddress(backend, out), size).fill(0);
  return out;
};

/** dW [KH, KW, C, 1] of a depthwise conv with channel multiplier 1. */
export function depthwiseFilterGradDirect(
  backend: HeapBackend,
  tiles: DepthwiseTiles,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const out = zeroed(backend, [info.filterHeight, info.filterWidth, info.inChannels, 1]);
  sweep(backend, tiles.filter, x, dy, out, info);
  return out;
}

/** dx [B, H, W, C] of a depthwise conv with channel multiplier 1: each tap's dy * W added where it came from. */
export function depthwiseInputGradDirect(
  backend: HeapBackend,
  tiles: DepthwiseTiles,
  dy: TensorInfo,
  filter: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const out = zeroed(backend, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  sweep(backend, tiles.input, out, dy, filter, info);
  return out;
}
