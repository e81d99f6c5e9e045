import type { tf } from '../../tf.js';
import { type HeapBackend, heapAddress, perWasmModule, type TensorInfo } from './kernel-types.js';
import { tapBoxes } from './tap-boxes.js';
import {
  addLocal,
  countDown,
  END,
  get,
  I32,
  i32Add,
  i32Const,
  instantiate,
  load32Splat,
  LOOP,
  moduleBytes,
  set,
  simd,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * Conv2DBackpropInput for strided convs as a WebAssembly SIMD loop (NHWC, float32, input channels a multiple of 4):
 *   dx[b, oh*sh + kh - top, ow*sw + kw - left, ci] += sum over co of dy[b, oh, ow, co] * W[kh, kw, ci, co]
 * one filter tap and a cache-sized box of output positions at a time (tap-boxes.ts), 4-16 input channels a call.
 * Through wasm's Conv2D (conv-input-grad.ts) a stride-2 input gradient convolves a dy spread out with zeros, three
 * quarters of its multiply-adds wasted: 14.8 ms for tiny-resnet's 3x3 16->32 stride-2 conv (kernel-micro inputgrad).
 *
 * i<cv>(dx, dy, wt, nb, dxbs, dybs, nh, dxhs, dyhs, nw, dxws, dyws, nco, wrs), all i32, addresses in bytes: wt is the
 * tap's weights transposed to [co, ci] (rows of wrs bytes), cv vectors of 4 input channels (1-4), nco = CO.
 */
type InputTile = (...args: number[]) => void;

const [f32x4Add, f32x4Mul] = [simd(0xe4), simd(0xe6)];

function tile(cv: number): number[] {
  const [DX, DY, WT, NB, DXBS, DYBS, NH, DXHS, DYHS, NW, DXWS, DYWS, NCO, WRS] = [...Array(14).keys()] as number[];
  const [XH, DYH, XP, DP, CH, CW, WP, DQ, CC] = [14, 15, 16, 17, 18, 19, 20, 21, 22] as number[];
  const acc = (j: number) => 23 + j;
  const s = 23 + cv;
  const code: number[] = [];
  code.push(...LOOP, ...get(DX!), ...set(XH!), ...get(DY!), ...set(DYH!), ...get(NH!), ...set(CH!));
  code.push(...LOOP, ...get(XH!), ...set(XP!), ...get(DYH!), ...set(DP!), ...get(NW!), ...set(CW!));
  code.push(...LOOP);
  for (let j = 0; j < cv; j++) code.push(...get(XP!), ...v128Load(16 * j), ...set(acc(j)));
  code.push(...get(WT!), ...set(WP!), ...get(DP!), ...set(DQ!), ...get(NCO!), ...set(CC!));
  code.push(...LOOP, ...get(DQ!), ...load32Splat(), ...set(s));
  for (let j = 0; j < cv; j++)
    code.push(...get(acc(j)), ...get(s), ...get(WP!), ...v128Load(16 * j), ...f32x4Mul, ...f32x4Add, ...set(acc(j)));
  code.push(...get(DQ!), ...i32Const(4), ...i32Add, ...set(DQ!), ...addLocal(WP!, WRS!), ...countDown(CC!), ...END);
  for (let j = 0; j < cv; j++) code.push(...get(XP!), ...get(acc(j)), ...v128Store(16 * j));
  code.push(...addLocal(XP!, DXWS!), ...addLocal(DP!, DYWS!), ...countDown(CW!), ...END);
  code.push(...addLocal(XH!, DXHS!), ...addLocal(DYH!, DYHS!), ...countDown(CH!), ...END);
  code.push(...addLocal(DX!, DXBS!), ...addLocal(DY!, DYBS!), ...countDown(NB!), ...END);
  return code;
}

/** The tile functions (index cv - 1), or null without WebAssembly SIMD. */
function compileInputTiles(memory: unknown): InputTile[] | null {
  const fns = [1, 2, 3, 4].map((cv) => ({
    name: `i${cv}`,
    params: Array(14).fill(I32) as number[],
    locals: [
      [9, I32],
      [cv + 1, V128],
    ] as Array<[number, number]>,
    code: tile(cv),
  }));
  const exports = instantiate(memory, moduleBytes(fns));
  return exports === null ? null : fns.map((f) => exports[f.name] as InputTile);
}

/** The tile functions compiled once per wasm module. */
export const inputTilesFor = perWasmModule(compileInputTiles);

/** dx [B, H, W, CI] by the tiles: zeroed, then every tap's dy * W^T added where its window came from. */
export function inputGradDirect(
  backend: HeapBackend,
  tiles: InputTile[],
  dy: TensorInfo,
  filter: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: sh, strideWidth: sw } = info;
  const out = backend.makeOutput([B, H, W, CI], 'float32');
  const wt = backend.makeOutput([KH * KW, CO, CI], 'float32');
  try {
    const at = (t: TensorInfo) => heapAddress(backend, t);
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [dxBase, dyBase, wtBase, fBase] = [at(out), at(dy), at(wt), at(filter)];
    heap.fill(0, dxBase / 4, dxBase / 4 + B * H * W * CI);
    for (let tap = 0; tap < KH * KW; tap++)
      for (let ci = 0; ci < CI; ci++)
        for (let co = 0; co < CO; co++)
          heap[wtBase / 4 + (tap * CO + co) * CI + ci] = heap[fBase / 4 + (tap * CI + ci) * CO + co]!;
    const [dxbs, dxhs, dxws] = [H * W * CI * 4, sh * W * CI * 4, sw * CI * 4];
    const [dybs, dyhs, dyws] = [OH * OW * CO * 4, OW * CO * 4, CO * 4];
    for (const box of tapBoxes(info, dxbs + dybs, dxhs + dyhs)) {
      for (let c = 0; c < CI; c += 16) {
        const fn = tiles[Math.min(16, CI - c) / 4 - 1]!;
        const dxAt = dxBase + (box.xPixel * CI + c) * 4;
        const wAt = wtBase + (box.tap * CO * CI + c) * 4;
        fn(
          dxAt,
          dyBase + box.dyPixel * CO * 4,
          wAt,
          box.nb,
          dxbs,
          dybs,
          box.nh,
          dxhs,
          dyhs,
          box.nw,
          dxws,
          dyws,
          CO,
          CI * 4,
        );
      }
    }
    return out;
  } finally {
    backend.disposeData(wt.dataId, true);
  }
}
