import type { tf } from '../../tf.js';
import { alignedScratch, type HeapBackend, heapAddress, perWasmModule, type TensorInfo } from './kernel-types.js';
import {
  addLocal,
  BLOCK,
  brIf,
  countDown,
  END,
  get,
  I32,
  i32Add,
  i32Const,
  i32Eqz,
  IF,
  instantiate,
  load32Splat,
  LOOP,
  moduleBytes,
  set,
  simd,
  uleb,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * Conv2D forward as a direct WebAssembly SIMD loop on tfjs-backend-wasm's heap (NHWC, float32, output channels a
 * multiple of 4):
 *   y[b, oh, ow, co] = bias[co] + sum over (kh, kw, ci) of x[b, oh*sh + kh*dh - top, ow*sw + kw*dw - left, ci] * W[kh, kw, ci, co]
 * Each function holds a tile of P output pixels by cv vectors of 4 output channels in registers over every filter
 * tap and input channel, so y is written once: per input channel it loads P broadcast inputs and cv weight vectors
 * for P * cv multiply-adds. The taps a pixel's window reaches inside x come from a table, one per class of border
 * rows and columns, so padding is never read nor written.
 *
 * Why not XNNPACK (tfjs' own Conv2D): on tiny-resnet's 3x3 convs it ran at 12-18 GMAC/s on this machine's 128-bit
 * WebAssembly SIMD (bench/kernel-micro.js conv; numbers in docs/training-speed.md), and the forward convs with the
 * stride-1 input gradients (the same convolution, conv-input-grad.ts) were half of a training step.
 *
 * c<P>_<cv>(x, w, y, bias, nr, xrs, yrs, ng, xps, yps, taps, ntaps, nci, wcs, relu), all i32, addresses in bytes:
 * nr rows (x and y advance by xrs and yrs) of ng groups of P pixels (by xps and yps each); x points at the window's
 * corner of the first pixel (maybe outside x: only table taps are read), w and bias at the first output channel of
 * the tile; taps holds ntaps pairs (x offset, w offset); nci input channels, w advancing by wcs (CO * 4) each;
 * relu != 0 applies max(0, .) as tfjs' relu does (NaN stays NaN).
 */
export type ForwardTile = (
  x: number,
  w: number,
  y: number,
  bias: number,
  nr: number,
  xrs: number,
  yrs: number,
  ng: number,
  xps: number,
  yps: number,
  taps: number,
  ntaps: number,
  nci: number,
  wcs: number,
  relu: number,
) => void;

/** Tiles by vectors of output channels: [cv, pixels per group, functions for 1..pixels pixels]. */
export type ForwardTiles = Map<number, { pixels: number; fns: ForwardTile[] }>;

/**
 * Pixels per group for 4, 2 and 1 vectors of output channels: 8 accumulators either way, measured best of 1-6 pixels
 * by 1-4 vectors on 16- and 32-channel 3x3 convs (more accumulators spill: V8 keeps 16 SIMD registers on x64).
 */
const PIXELS: ReadonlyArray<[number, number]> = [
  [4, 2],
  [2, 4],
  [1, 4],
];

const [f32x4Add, f32x4Mul, f32x4Pmax] = [simd(0xe4), simd(0xe6), simd(0xeb)];
const zeroVector = [...simd(0x0c), ...Array<number>(16).fill(0)];
const i32Load = (offset: number) => [0x28, 0x02, ...uleb(offset)];

function tile(P: number, cv: number): { code: number[]; i32Locals: number; v128Locals: number } {
  const [X, W, Y, BIAS, NR, XRS, YRS, NG, XPS, YPS, TAPS, NTAPS, NCI, WCS, RELU] = [...Array(15).keys()] as number[];
  let next = 15;
  const [XG, YG, G, TP, TC, WO, CC, YP] = [...Array(8).keys()].map(() => next++) as number[];
  const XO = [...Array(P).keys()].map(() => next++);
  const i32Locals = next - 15;
  const acc = [...Array(P).keys()].map(() => [...Array(cv).keys()].map(() => next++));
  const S = [...Array(P).keys()].map(() => next++);
  const WV = next++;
  const v128Locals = next - 15 - i32Locals;
  const c: number[] = [];
  c.push(...LOOP, ...get(X!), ...set(XG!), ...get(Y!), ...set(YG!), ...get(NG!), ...set(G!));
  c.push(...LOOP);
  for (const row of acc) for (const [j, a] of row.entries()) c.push(...get(BIAS!), ...v128Load(16 * j), ...set(a));
  c.push(...get(TAPS!), ...set(TP!), ...get(NTAPS!), ...set(TC!));
  // A pixel whose window lies wholly in the padding has no taps: its output is the bias.
  c.push(...BLOCK, ...get(TC!), ...i32Eqz, ...brIf(0), ...LOOP);
  c.push(...get(XG!), ...get(TP!), ...i32Load(0), ...i32Add, ...set(XO[0]!));
  for (let p = 1; p < P; p++) c.push(...get(XO[p - 1]!), ...get(XPS!), ...i32Add, ...set(XO[p]!));
  c.push(...get(W!), ...get(TP!), ...i32Load(4), ...i32Add, ...set(WO!), ...get(NCI!), ...set(CC!));
  c.push(...LOOP);
  for (let p = 0; p < P; p++) c.push(...get(XO[p]!), ...load32Splat(), ...set(S[p]!));
  for (let j = 0; j < cv; j++) {
    c.push(...get(WO!), ...v128Load(16 * j), ...set(WV));
    for (let p = 0; p < P; p++)
      c.push(...get(acc[p]![j]!), ...get(S[p]!), ...get(WV), ...f32x4Mul, ...f32x4Add, ...set(acc[p]![j]!));
  }
  c.push(...addLocal(WO!, WCS!));
  for (let p = 0; p < P; p++) c.push(...get(XO[p]!), ...i32Const(4), ...i32Add, ...set(XO[p]!));
  c.push(...countDown(CC!), ...END);
  c.push(...get(TP!), ...i32Const(8), ...i32Add, ...set(TP!), ...countDown(TC!), ...END, ...END);
  c.push(...get(RELU!), ...IF);
  for (const row of acc) for (const a of row) c.push(...get(a), ...zeroVector, ...f32x4Pmax, ...set(a));
  c.push(...END, ...get(YG!), ...set(YP!));
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < cv; j++) c.push(...get(YP!), ...get(acc[p]![j]!), ...v128Store(16 * j));
    c.push(...addLocal(YP!, YPS!), ...addLocal(XG!, XPS!));
  }
  c.push(...get(YP!), ...set(YG!), ...countDown(G!), ...END);
  c.push(...addLocal(X!, XRS!), ...addLocal(Y!, YRS!), ...countDown(NR!), ...END);
  return { code: c, i32Locals, v128Locals };
}

function compile(memory: unknown): ForwardTiles | null {
  const shapes = PIXELS.flatMap(([cv, pixels]) => [...Array(pixels).keys()].map((p) => [p + 1, cv] as const));
  const exports = instantiate(
    memory,
    moduleBytes(
      shapes.map(([P, cv]) => {
        const { code, i32Locals, v128Locals } = tile(P, cv);
        return {
          name: `c${P}_${cv}`,
          params: Array<number>(15).fill(I32),
          locals: [
            [i32Locals, I32],
            [v128Locals, V128],
          ],
          code,
        };
      }),
    ),
  );
  if (exports === null) return null;
  return new Map(
    PIXELS.map(([cv, pixels]) => [
      cv,
      { pixels, fns: [...Array(pixels).keys()].map((p) => exports[`c${p + 1}_${cv}`] as ForwardTile) },
    ]),
  );
}

/** The tile functions compiled once per tfjs wasm module; null without WebAssembly SIMD. */
export const forwardTilesFor = perWasmModule(compile);

/** Bytes of x per band of output rows: swept once per tile of output channels, so kept within the core's L2. */
const BAND_BYTES = 128 * 1024;

/**
 * Runs of output positions along one axis whose windows reach inside x at the same filter taps: [first, end,
 * first tap, end tap). A 3x3 'same' conv has three: the first position, the inside, the last.
 */
export function tapRuns(
  outN: number,
  inN: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
): Array<[number, number, number, number]> {
  const runs: Array<[number, number, number, number]> = [];
  for (let o = 0; o < outN; o++) {
    const start = o * stride - pad;
    let lo = 0;
    while (lo < kernel && start + lo * dilation < 0) lo++;
    let hi = kernel;
    while (hi > lo && start + (hi - 1) * dilation >= inN) hi--;
    if (hi === lo) lo = hi = 0; // the window lies wholly in the padding
    const last = runs[runs.length - 1];
    if (last !== undefined && last[2] === lo && last[3] === hi && last[1] === o) last[1] = o + 1;
    else runs.push([o, o + 1, lo, hi]);
  }
  return runs;
}

let simdCalls = 0;

/** For tests: how many convolutions the SIMD loop has computed (so a test knows which path it checked). */
export function convForwardSimdCalls(): number {
  return simdCalls;
}

/** Vectors of output channels per tile: 4 where the channels come in sixteens, else 2 or 1. */
export function vectorsFor(outChannels: number, tiles: ForwardTiles): number {
  for (const cv of [4, 2, 1]) if (outChannels % (4 * cv) === 0 && tiles.has(cv)) return cv;
  return 0;
}

/** y [B, OH, OW, CO] by the tiles: every output pixel once, each with the taps its window reaches inside x. */
export function convForwardDirect(
  backend: HeapBackend,
  tiles: ForwardTiles,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  info: ConvInfo,
  relu: boolean,
): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rows = tapRuns(OH, H, KH, sh, dh, top);
  const cols = tapRuns(OW, W, KW, sw, dw, left);
  // One table of (x offset, w offset) pairs per row run and column run, all in one int32 buffer.
  const tableAt: number[] = [];
  const entries: number[] = [];
  for (const [, , kh0, kh1] of rows) {
    for (const [, , kw0, kw1] of cols) {
      tableAt.push(entries.length);
      for (let kh = kh0; kh < kh1; kh++)
        for (let kw = kw0; kw < kw1; kw++) entries.push((kh * dh * W + kw * dw) * CI * 4, (kh * KW + kw) * CI * CO * 4);
    }
  }
  const out = backend.makeOutput([B, OH, OW, CO], 'float32');
  // The weights, the bias (or zeros) and the tap tables in one scratch buffer, the weights and bias copied to a
  // 64-byte boundary: a weight vector across two cache lines made the stride-1 input gradient (its turned filter)
  // twice as slow.
  const weights = KH * KW * CI * CO;
  const { scratch, regions } = alignedScratch(backend, [weights, CO, entries.length]);
  try {
    // Views after the allocations (they may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [wBase, biasBase, tableBase] = regions as [number, number, number];
    const filterAt = heapAddress(backend, filter) / 4;
    heap.copyWithin(wBase / 4, filterAt, filterAt + weights);
    if (bias === null) heap.fill(0, biasBase / 4, biasBase / 4 + CO);
    else heap.copyWithin(biasBase / 4, heapAddress(backend, bias) / 4, heapAddress(backend, bias) / 4 + CO);
    new Int32Array(backend.wasm.HEAPU8.buffer, tableBase, entries.length).set(entries);
    const [xBase, yBase] = [heapAddress(backend, x), heapAddress(backend, out)];
    const cv = vectorsFor(CO, tiles);
    const { pixels: P, fns } = tiles.get(cv)!;
    const [xrs, yrs, xps, yps] = [sh * W * CI * 4, OW * CO * 4, sw * CI * 4, CO * 4];
    const band = Math.max(1, Math.floor(BAND_BYTES / xrs));
    const flag = relu ? 1 : 0;
    for (let b = 0; b < B; b++) {
      for (const [ri, [oh0, oh1, kh0, kh1]] of rows.entries()) {
        for (let r0 = oh0; r0 < oh1; r0 += band) {
          const nr = Math.min(band, oh1 - r0);
          // Columns left over go down the rows in groups of P: `down` groups and `over` rows after them.
          const down = Math.floor(nr / P);
          const over = nr - down * P;
          for (const [ci, [ow0, ow1, kw0, kw1]] of cols.entries()) {
            const taps = (kh1 - kh0) * (kw1 - kw0);
            const tableAddr = tableBase + tableAt[ri * cols.length + ci]! * 4;
            const n = ow1 - ow0;
            const ng = Math.floor(n / P);
            const xAt = xBase + ((b * H + r0 * sh - top) * W + ow0 * sw - left) * CI * 4;
            const yAt = yBase + ((b * OH + r0) * OW + ow0) * CO * 4;
            for (let c = 0; c < CO; c += 4 * cv) {
              const [w, bs, y] = [wBase + c * 4, biasBase + c * 4, yAt + c * 4];
              if (ng > 0) fns[P - 1]!(xAt, w, y, bs, nr, xrs, yrs, ng, xps, yps, tableAddr, taps, CI, yps, flag);
              // The columns left over (a border column, or a run's last pixels) in groups down the rows: a group's
              // pixels are then a row apart. One pixel at a time ran at half the speed.
              for (let k = ng * P; k < n; k++) {
                const [xk, yk] = [xAt + k * xps, y + k * yps];
                if (down > 0) fns[P - 1]!(xk, w, yk, bs, 1, 0, 0, down, xrs, yrs, tableAddr, taps, CI, yps, flag);
                if (over > 0)
                  fns[over - 1]!(
                    xk + down * P * xrs,
                    w,
                    yk + down * P * yrs,
                    bs,
                    1,
                    0,
                    0,
                    1,
                    xrs,
                    yrs,
                    tableAddr,
                    taps,
                    CI,
                    yps,
                    flag,
                  );
              }
            }
          }
        }
      }
    }
    simdCalls++;
    return out;
  } finally {
    backend.disposeData(scratch.dataId, true);
  }
}
