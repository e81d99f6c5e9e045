import {
  addLocal,
  countDown,
  END,
  get,
  I32,
  i32Add,
  i32Const,
  i32Mul,
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

/**
 * Conv2DBackpropFilter as a direct WebAssembly SIMD loop on tfjs-backend-wasm's heap (NHWC, float32):
 *   dW[kh, kw, ci, co] = sum over (b, oh, ow) of x[b, oh*sh + kh - top, ow*sw + kw - left, ci] * dy[b, oh, ow, co]
 * For one filter tap (kh, kw) the output positions whose window reaches inside x form a rectangle, so no padding is
 * ever written: each function below adds one tile of dW (up to 4 input channels by 8 output channels, held in
 * 8 SIMD registers) over a box of (b, oh, ow), reading x and dy where they lie. The JavaScript driver walks the
 * batch in chunks that stay in the core's cache, and for each chunk every tap and tile.
 *
 * Why not a matrix product: the im2col matrix of a 3x3 conv on 16 channels is 9 times x, written and then packed
 * again by XNNPACK (tfjs' BatchMatMul packs its right-hand side on every call); the conv2d composition needs three
 * transposes, a pad and a slice. Both lost to this loop on pt-fashion-cnn's and tiny-resnet's shapes
 * (bench/kernel-micro.js filtergrad; numbers in docs/training-speed.md).
 *
 * Function f<ct><cv>(x, dy, dw, nb, xbs, dybs, nh, xhs, dyhs, nw, xws, dyws, dwcs), all i32, addresses in bytes:
 * ct input channels (1-4) by cv vectors of 4 output channels (1-2); nb, nh, nw >= 1 are the box's extents and
 * x.., dy.. the byte steps along them; dwcs the byte step between dW rows (CO * 4). dW's tile is loaded, added to
 * and stored back, so the caller zeroes dW once and calls once per chunk.
 */
export type FilterTile = (
  x: number,
  dy: number,
  dw: number,
  nb: number,
  xbs: number,
  dybs: number,
  nh: number,
  xhs: number,
  dyhs: number,
  nw: number,
  xws: number,
  dyws: number,
  dwcs: number,
) => void;

/** tiles[ct - 1][cv - 1]: the function for ct input channels by cv vectors of output channels. */
export type FilterTiles = FilterTile[][];

const [f32x4Add, f32x4Mul] = [simd(0xe4), simd(0xe6)];

function tile(ct: number, cv: number): number[] {
  const [X, DY, DW, NB, XBS, DYBS, NH, XHS, DYHS, NW, XWS, DYWS, DWCS] = [...Array(13).keys()] as number[];
  const [XH, DYH, XP, DP, CH, CW, ROW] = [13, 14, 15, 16, 17, 18, 19] as number[];
  const acc = (i: number, j: number) => 20 + i * cv + j;
  const d = (j: number) => 20 + ct * cv + j;
  const s = 20 + ct * cv + cv;
  const row = (i: number) => [...get(DW!), ...get(DWCS!), ...i32Const(i), ...i32Mul, ...i32Add, ...set(ROW!)];
  const code: number[] = [];
  for (let i = 0; i < ct; i++) {
    code.push(...row(i));
    for (let j = 0; j < cv; j++) code.push(...get(ROW!), ...v128Load(16 * j), ...set(acc(i, j)));
  }
  code.push(...LOOP, ...get(X!), ...set(XH!), ...get(DY!), ...set(DYH!), ...get(NH!), ...set(CH!));
  code.push(...LOOP, ...get(XH!), ...set(XP!), ...get(DYH!), ...set(DP!), ...get(NW!), ...set(CW!));
  code.push(...LOOP);
  for (let j = 0; j < cv; j++) code.push(...get(DP!), ...v128Load(16 * j), ...set(d(j)));
  for (let i = 0; i < ct; i++) {
    code.push(...get(XP!), ...load32Splat(4 * i), ...set(s));
    for (let j = 0; j < cv; j++)
      code.push(...get(acc(i, j)), ...get(s), ...get(d(j)), ...f32x4Mul, ...f32x4Add, ...set(acc(i, j)));
  }
  code.push(...addLocal(XP!, XWS!), ...addLocal(DP!, DYWS!), ...countDown(CW!), ...END);
  code.push(...addLocal(XH!, XHS!), ...addLocal(DYH!, DYHS!), ...countDown(CH!), ...END);
  code.push(...addLocal(X!, XBS!), ...addLocal(DY!, DYBS!), ...countDown(NB!), ...END);
  for (let i = 0; i < ct; i++) {
    code.push(...row(i));
    for (let j = 0; j < cv; j++) code.push(...get(ROW!), ...get(acc(i, j)), ...v128Store(16 * j));
  }
  return code;
}

/** The eight tile functions bound to tfjs' heap, or null without WebAssembly SIMD (callers keep another path). */
export function compileFilterTiles(memory: unknown): FilterTiles | null {
  const shapes = [1, 2, 3, 4].flatMap((ct) => [1, 2].map((cv) => [ct, cv] as const));
  const bytes = moduleBytes(
    shapes.map(([ct, cv]) => ({
      name: `f${ct}${cv}`,
      params: Array(13).fill(I32) as number[],
      locals: [
        [7, I32],
        [ct * cv + cv + 1, V128],
      ] as Array<[number, number]>,
      code: tile(ct, cv),
    })),
  );
  const exports = instantiate(memory, bytes);
  if (exports === null) return null;
  return [1, 2, 3, 4].map((ct) => [1, 2].map((cv) => exports[`f${ct}${cv}`] as FilterTile));
}
