import type { tf } from '../../tf.js';
import {
  addConst,
  addLocal,
  countDown,
  END,
  F32,
  get,
  I32,
  i32Add,
  instantiate,
  LOOP,
  moduleBytes,
  set,
  simd,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

/**
 * MaxPoolGrad and AvgPoolGrad (NHWC, float32) as WebAssembly SIMD loops on tfjs-backend-wasm's heap, 4 channels a
 * vector, over a box of output windows that all cover kh x kw input positions (border windows clipped by padding
 * come in boxes of their own, see windowBoxes):
 *   max: per window and 4 channels, best = first strictly greater value in row-major window order, where = its
 *        address (f32x4.gt mask, v128.bitselect: ties go to the first, NaN never wins, -Infinity never beats the
 *        initial -Infinity); then for every window position p, dx[p] += dy & (where == p). Load-add-store, so
 *        overlapping windows (3x3 stride 2) add up; a window with no winner adds only +0.
 *   avg: dx[p] += dy * scale for every window position p.
 *
 * m / a(x, dy, shift | scale, nh, xhs, dyhs, nw, xws, dyws, kh, kw, xrs, xps, ncv), addresses in bytes: x the
 * first window's top-left position (avg: in dx), dy its gradient, shift = dx - x (max), scale = 1 / filter size
 * (avg, f32); nh x nw windows >= 1 with steps xhs, xws in x and dyhs, dyws in dy; kh x kw >= 1 positions a window,
 * xrs and xps the steps between its rows and positions; ncv >= 1 vectors of 4 channels from x and dy.
 */
export type PoolTile = (...args: number[]) => void;
export interface PoolTiles {
  max: PoolTile;
  /** max where the windows tile the input exactly (each position in one window): dx[p] = dy & (where == p). */
  maxStore: PoolTile;
  avg: PoolTile;
}

const [i32x4Splat, f32x4Splat, i32x4Eq, f32x4Gt] = [simd(0x11), simd(0x13), simd(0x37), simd(0x44)];
const [v128And, bitselect, f32x4Add, f32x4Mul] = [simd(0x4e), simd(0x52), simd(0xe4), simd(0xe6)];
const NEG_INFINITY = [0x43, 0x00, 0x00, 0x80, 0xff]; // f32.const -Infinity

function tile(mode: 'max' | 'maxStore' | 'avg'): number[] {
  const [X, DY, SHIFT, NH, XHS, DYHS, NW, XWS, DYWS, KH, KW, XRS, XPS, NCV] = [...Array(14).keys()] as number[];
  const [XH, DYH, XP, DP, CH, CW, G, XG, DG, R, K, RP, P] = [...Array(13).keys()].map((i) => 14 + i) as number[];
  // CONST: -Infinity in every lane (max) or the scale (avg); NONE: -1, never an address.
  const [BEST, WHERE, V, M, GV, CONST, NONE] = [...Array(7).keys()].map((i) => 27 + i) as number[];
  // body once for every position P of the window whose top-left is XG.
  const positions = (body: number[]) => [
    ...[...get(XG!), ...set(RP!), ...get(KH!), ...set(R!), ...LOOP, ...get(RP!), ...set(P!), ...get(KW!), ...set(K!)],
    ...[...LOOP, ...body, ...addLocal(P!, XPS!), ...countDown(K!), ...END],
    ...[...addLocal(RP!, XRS!), ...countDown(R!), ...END],
  ];
  const group: number[] = [];
  if (mode !== 'avg') {
    group.push(...get(CONST!), ...set(BEST!), ...get(NONE!), ...set(WHERE!));
    group.push(
      ...positions([
        ...[...get(P!), ...v128Load(), ...set(V!), ...get(V!), ...get(BEST!), ...f32x4Gt, ...set(M!)],
        ...[...get(V!), ...get(BEST!), ...get(M!), ...bitselect, ...set(BEST!)],
        ...[...get(P!), ...i32x4Splat, ...get(WHERE!), ...get(M!), ...bitselect, ...set(WHERE!)],
      ]),
    );
    group.push(...get(DG!), ...v128Load(), ...set(GV!));
    const dxAt = [...get(P!), ...get(SHIFT!), ...i32Add];
    const picked = [...get(GV!), ...get(WHERE!), ...get(P!), ...i32x4Splat, ...i32x4Eq, ...v128And];
    if (mode === 'max')
      group.push(...positions([...dxAt, ...dxAt, ...v128Load(), ...picked, ...f32x4Add, ...v128Store()]));
    else group.push(...positions([...dxAt, ...picked, ...v128Store()]));
  } else {
    group.push(...get(DG!), ...v128Load(), ...get(CONST!), ...f32x4Mul, ...set(GV!));
    group.push(...positions([...get(P!), ...get(P!), ...v128Load(), ...get(GV!), ...f32x4Add, ...v128Store()]));
  }
  const code: number[] = [];
  if (mode !== 'avg')
    code.push(...NEG_INFINITY, ...f32x4Splat, ...set(CONST!), ...[0x41, 0x7f], ...i32x4Splat, ...set(NONE!));
  else code.push(...get(SHIFT!), ...f32x4Splat, ...set(CONST!));
  code.push(...get(X!), ...set(XH!), ...get(DY!), ...set(DYH!), ...get(NH!), ...set(CH!));
  code.push(...LOOP, ...get(XH!), ...set(XP!), ...get(DYH!), ...set(DP!), ...get(NW!), ...set(CW!));
  code.push(...LOOP, ...get(XP!), ...set(XG!), ...get(DP!), ...set(DG!), ...get(NCV!), ...set(G!));
  code.push(...LOOP, ...group, ...addConst(XG!, 16), ...addConst(DG!, 16), ...countDown(G!), ...END);
  code.push(...addLocal(XP!, XWS!), ...addLocal(DP!, DYWS!), ...countDown(CW!), ...END);
  code.push(...addLocal(XH!, XHS!), ...addLocal(DYH!, DYHS!), ...countDown(CH!), ...END);
  return code;
}

/** The two functions bound to `memory` (tfjs' heap), or null without WebAssembly SIMD (callers keep the JS loops). */
export function compilePoolTiles(memory: unknown): PoolTiles | null {
  const locals: Array<[number, number]> = [
    [13, I32],
    [7, V128],
  ];
  const params = (third: number) => [I32, I32, third, ...Array(11).fill(I32)] as number[];
  const bytes = moduleBytes([
    { name: 'm', params: params(I32), locals, code: tile('max') },
    { name: 's', params: params(I32), locals, code: tile('maxStore') },
    { name: 'a', params: params(F32), locals, code: tile('avg') },
  ]);
  const exports = instantiate(memory, bytes);
  if (exports === null) return null;
  return { max: exports['m'] as PoolTile, maxStore: exports['s'] as PoolTile, avg: exports['a'] as PoolTile };
}

/** Consecutive output positions along one axis whose windows cover the same number k of input positions. */
interface Run {
  /** First output position, and how many. */
  o: number;
  n: number;
  /** First input position the first window covers (the others follow at the stride). */
  lo: number;
  k: number;
}

/** The runs of one axis: windows clipped by padding form runs of their own; windows wholly in padding none. */
export function windowRuns(outN: number, stride: number, filter: number, pad: number, inN: number): Run[] {
  const runs: Run[] = [];
  for (let o = 0; o < outN; o++) {
    const start = o * stride - pad;
    const lo = Math.max(0, start);
    const k = Math.min(inN, start + filter) - lo;
    const last = runs[runs.length - 1];
    if (k <= 0) continue;
    if (last !== undefined && last.k === k && last.o + last.n === o && last.lo + last.n * stride === lo) last.n++;
    else runs.push({ o, n: 1, lo, k });
  }
  return runs;
}

/**
 * Whether every input position lies in exactly one window (2x2 stride 2 on even sizes): then the max gradient can
 * store dx (maxStore) instead of zeroing it first and adding.
 */
export function windowsTileInput(p: PoolInfo): boolean {
  const once = (runs: Run[], stride: number, inN: number) => {
    const count = new Uint32Array(inN);
    for (const r of runs) for (let i = 0; i < r.n; i++) for (let k = 0; k < r.k; k++) count[r.lo + i * stride + k]!++;
    return count.every((c) => c === 1);
  };
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = p;
  return (
    once(windowRuns(p.outHeight, sh, fh, p.padInfo.top, p.inHeight), sh, p.inHeight) &&
    once(windowRuns(p.outWidth, sw, fw, p.padInfo.left, p.inWidth), sw, p.inWidth)
  );
}

/**
 * dx (zeroed by the caller, except for maxStore) += the pooling gradient of channels [0, 4 * ncv), image by image (an image's x, dx
 * and dy stay in cache while its boxes are swept), a call per pair of row run and column run. x, dy, dx: byte
 * addresses.
 */
export function poolScatterSimd(
  tiles: PoolTiles,
  kind: 'max' | 'maxStore' | 'avg',
  x: number,
  dy: number,
  dx: number,
  p: PoolInfo,
  ncv: number,
): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = p;
  const rows = windowRuns(OH, p.strideHeight, p.effectiveFilterHeight, p.padInfo.top, H);
  const cols = windowRuns(OW, p.strideWidth, p.effectiveFilterWidth, p.padInfo.left, W);
  const [xps, xrs, dyrs] = [C * 4, W * C * 4, OW * C * 4];
  const [xhs, xws] = [p.strideHeight * xrs, p.strideWidth * xps];
  // max reads x and writes dx at x + shift; avg writes dx directly, scaled by the full filter size (padding included).
  const [fn, third, base] =
    kind === 'avg' ? [tiles.avg, 1 / (p.filterHeight * p.filterWidth), dx] : [tiles[kind], dx - x, x];
  for (let b = 0; b < B; b++) {
    const [image, dyImage] = [base + b * H * xrs, dy + b * OH * dyrs];
    for (const r of rows) {
      for (const c of cols) {
        const at = image + r.lo * xrs + c.lo * xps;
        const dyAt = dyImage + r.o * dyrs + c.o * xps;
        fn(at, dyAt, third, r.n, xhs, dyrs, c.n, xws, xps, r.k, c.k, xrs, xps, ncv);
      }
    }
  }
}
