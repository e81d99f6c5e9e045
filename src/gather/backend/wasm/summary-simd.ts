import type { tf } from '../../tf.js';
import { heapAddress, type HeapBackend } from './kernel-types.js';
import { heapHolding } from './heap-view.js';
import {
  addConst,
  countDown,
  END,
  F32,
  get,
  I32,
  i32Add,
  i32Const,
  instantiate,
  LOOP,
  moduleBytes,
  set,
  simd,
  tee,
  uleb,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

/**
 * The sums behind a probe's statistics, as WebAssembly SIMD loops over a tensor where it lies on tfjs-backend-wasm's
 * heap. A probe of a conv net summarizes tens of millions of values (every layer's output and gradient for 256
 * images); JavaScript's scalar loops took 4-9 ns a value, a third of the diagnostics' cost (issue #25). Every sum is
 * kept in double precision, each value promoted from float32 as JavaScript does; per-unit sums add each unit's
 * values in row order, exactly as the scalar loop. Only the whole-tensor sums (of four or two lanes, added at the
 * end) round differently from one running sum, at the 1e-16 level. Histogram bins are computed per value as
 * `min(bins - 1, floor((v - lo) * perWidth))` in single precision, four at once; the JavaScript loop computes the
 * same float32 operations (Math.fround), so both give the same bins.
 *
 * Three functions (addresses in bytes; a non-finite value is NaN or +-Infinity):
 *   grad(x, n4, acc): over n4 vectors of 4 floats, acc += [sum of v*v (2 x f64x2), sum of |v| (2 x f64x2),
 *     count of finite values (i32x4)], non-finite values counting as 0.
 *   units(x, rows, groups, acc, z): x is rows x (4 * groups) floats; acc holds [finite count (i32x4), min (f32x4),
 *     max (f32x4)] of the finite values, then per group of 4 units [count of v <= 0 (i32x4), count of |v| >= z
 *     (i32x4), sum (2 x f64x2), sum of squares (2 x f64x2)], the sums over finite values.
 *   bins(x, n4, acc, mean, lo, perWidth, counts): acc += sum of (v - mean)^2 (2 x f64x2) over finite values, and
 *     counts[lane][bin]++ per finite value, bin = min(bins - 1, floor((v - lo) * perWidth)) in float32 (lo and
 *     perWidth rounded to float32; as the JavaScript loop computes it): i32 counts, one row of
 *     bins + 1 per lane (four independent chains of increments instead of one; a non-finite value goes to the extra
 *     last slot).
 */

const F64 = 0x7c;
const HIST_TOP = 29; // HISTOGRAM_BINS - 1 (stats.ts): the last bin takes the maximum
const bytes16 = (word: number) => [0, 1, 2, 3].flatMap((i) => [(word >>> (8 * i)) & 0xff]);
const v128Const = (words: [number, number, number, number]) => [...simd(0x0c), ...words.flatMap(bytes16)];
const shuffle = (lanes: number[]) => [...simd(0x0d), ...lanes];
const HIGH_HALF = shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
const op = {
  f32x4Eq: simd(0x41),
  f32x4Le: simd(0x45),
  f32x4Ge: simd(0x46),
  and: simd(0x4e),
  bitselect: simd(0x52),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Abs: simd(0xe0),
  // pmin and pmax, (b < a ? b : a) and (a < b ? b : a): one instruction each, where min and max (which propagate
  // NaN) take several; the per-unit loop went from 1.15 to 0.54 ns a value. No operand here is NaN except a bin of
  // 0 * Infinity, which clamps to NaN and truncates to 0 either way.
  f32x4Pmin: simd(0xea),
  f32x4Pmax: simd(0xeb),
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  i32x4Splat: simd(0x11),
  i32x4Sub: simd(0xb1),
  i32x4Shl: simd(0xab),
  i32x4Lane: (k: number) => [...simd(0x1b), k],
  i64x2ExtendLow: simd(0xc7),
  i64x2ExtendHigh: simd(0xc8),
  promoteLow: simd(0x5f),
  f32x4Mul: simd(0xe6),
  f32x4Floor: simd(0x68),
  f64x2Abs: simd(0xec),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
};
const ZERO = v128Const([0, 0, 0, 0]);
const INF = v128Const([0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000]);
const NEG_INF = v128Const([0xff800000, 0xff800000, 0xff800000, 0xff800000]);
const TWO_23 = v128Const([0x4b000000, 0x4b000000, 0x4b000000, 0x4b000000]); // 8388608.0
/** Bytes of one lane's row of histogram counts (the bins and the slot for non-finite values). */
const ROW_BYTES = 4 * (HIST_TOP + 2);

/** finite mask of local v into local m: (v - v) == 0 holds for finite v only. */
const finiteMask = (v: number, m: number) => [...get(v), ...get(v), ...op.f32x4Sub, ...ZERO, ...op.f32x4Eq, ...set(m)];
/** Local v = the vector at x, m its finite mask, and fin (i32x4) counts the finite lanes. */
const nextVector = (x: number, v: number, m: number, fin: number) => [
  ...get(x),
  ...v128Load(),
  ...set(v),
  ...finiteMask(v, m),
  ...get(fin),
  ...get(m),
  ...simd(0xb1), // i32x4.sub: a true lane is -1
  ...set(fin),
];
/** The two f64x2 halves of local c into locals lo and hi. */
const promote = (c: number, lo: number, hi: number) => [
  ...get(c),
  ...op.promoteLow,
  ...set(lo),
  ...get(c),
  ...get(c),
  ...HIGH_HALF,
  ...op.promoteLow,
  ...set(hi),
];
/** local acc += expression */
const addTo = (acc: number, kind: number[], expr: number[]) => [...get(acc), ...expr, ...kind, ...set(acc)];
/** memory[p + offset] += expression (a v128 accumulator in memory) */
const addAt = (p: number, offset: number, kind: number[], expr: number[]) => [
  ...get(p),
  ...get(p),
  ...v128Load(offset),
  ...expr,
  ...kind,
  ...v128Store(offset),
];

function gradCode(): number[] {
  const [X, N4, ACC] = [0, 1, 2];
  const [V, M, C, LO, HI, SQL, SQH, ABL, ABH, FIN] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const accs = [SQL, SQH, ABL, ABH, FIN];
  return [
    ...accs.flatMap((a, i) => [...get(ACC), ...v128Load(16 * i), ...set(a)]),
    ...LOOP,
    ...nextVector(X, V, M, FIN),
    ...get(V),
    ...get(M),
    ...op.and,
    ...set(C),
    ...promote(C, LO, HI),
    ...addTo(SQL, op.f64x2Add, [...get(LO), ...get(LO), ...op.f64x2Mul]),
    ...addTo(SQH, op.f64x2Add, [...get(HI), ...get(HI), ...op.f64x2Mul]),
    ...addTo(ABL, op.f64x2Add, [...get(LO), ...op.f64x2Abs]),
    ...addTo(ABH, op.f64x2Add, [...get(HI), ...op.f64x2Abs]),
    ...addConst(X, 16),
    ...countDown(N4),
    ...END,
    ...accs.flatMap((a, i) => [...get(ACC), ...get(a), ...v128Store(16 * i)]),
  ];
}

/** Bytes of the per-group record in `units`' accumulator, and of the whole-tensor part before the groups. */
export const GROUP_BYTES = 96;
export const HEAD_BYTES = 48;

function unitsCode(): number[] {
  const [X, ROWS, GROUPS, ACC, Z] = [0, 1, 2, 3, 4];
  const [G, P] = [5, 6];
  const [V, M, C, LO, HI, ZS, FIN, MN, MX] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  return [
    ...get(Z),
    ...op.f32x4Splat,
    ...set(ZS),
    ...[FIN, MN, MX].flatMap((a, i) => [...get(ACC), ...v128Load(16 * i), ...set(a)]),
    ...LOOP,
    ...get(ACC),
    ...i32Const(HEAD_BYTES),
    ...i32Add,
    ...set(P),
    ...get(GROUPS),
    ...set(G),
    ...LOOP,
    ...nextVector(X, V, M, FIN),
    ...addTo(MN, op.f32x4Pmin, [...get(V), ...INF, ...get(M), ...op.bitselect]),
    ...addTo(MX, op.f32x4Pmax, [...get(V), ...NEG_INF, ...get(M), ...op.bitselect]),
    ...addAt(P, 0, op.i32x4Sub, [...get(V), ...ZERO, ...op.f32x4Le]),
    ...addAt(P, 16, op.i32x4Sub, [...get(V), ...op.f32x4Abs, ...get(ZS), ...op.f32x4Ge]),
    ...get(V),
    ...get(M),
    ...op.and,
    ...set(C),
    ...promote(C, LO, HI),
    ...addAt(P, 32, op.f64x2Add, get(LO)),
    ...addAt(P, 48, op.f64x2Add, get(HI)),
    ...addAt(P, 64, op.f64x2Add, [...get(LO), ...get(LO), ...op.f64x2Mul]),
    ...addAt(P, 80, op.f64x2Add, [...get(HI), ...get(HI), ...op.f64x2Mul]),
    ...addConst(X, 16),
    ...addConst(P, GROUP_BYTES),
    ...countDown(G),
    ...END,
    ...countDown(ROWS),
    ...END,
    ...[FIN, MN, MX].flatMap((a, i) => [...get(ACC), ...get(a), ...v128Store(16 * i)]),
  ];
}

function binsCode(): number[] {
  const [X, N4, ACC, MEAN, LOW, PER_WIDTH, COUNTS] = [0, 1, 2, 3, 4, 5, 6];
  const [AT] = [7];
  const [V, M, VL, VH, MS, LS, WS, TOP, SLOT, DL, DH, BL, IDX] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  // In single precision, four lanes at once: floor((v - lo) * perWidth) with lo and perWidth rounded to float32.
  // The float bin (0 to 29, or NaN for 0 * Infinity: pmax(0, NaN) is 0) to an integer: 2^23 + k holds k in its low
  // bits, two instructions where i32x4.trunc_sat_f32x4_s takes several.
  const bins = [
    ...ZERO,
    ...get(V),
    ...get(LS),
    ...op.f32x4Sub,
    ...get(WS),
    ...op.f32x4Mul,
    ...op.f32x4Floor,
    ...get(TOP),
    ...op.f32x4Pmin,
    ...op.f32x4Pmax,
    ...TWO_23,
    ...op.f32x4Add,
    ...TWO_23,
    ...op.i32x4Sub,
  ];
  const deviation = (half: number, mask: number[]) => [
    ...get(half),
    ...get(MS),
    ...op.f64x2Sub,
    ...tee(BL),
    ...get(BL),
    ...op.f64x2Mul,
    ...get(M),
    ...mask,
    ...op.and,
  ];
  // Lane k counts in its own row (the memarg offset): a run of values in one bin is four chains, not one.
  const row = (k: number) => [0x02, ...uleb(k * ROW_BYTES)];
  const countLane = (k: number) => [
    ...get(COUNTS),
    ...get(IDX),
    ...op.i32x4Lane(k),
    ...i32Add,
    ...tee(AT),
    ...get(AT),
    0x28,
    ...row(k),
    ...i32Const(1),
    ...i32Add,
    0x36,
    ...row(k),
  ];
  const splat = (value: number[], kind: number[], local: number) => [...value, ...kind, ...set(local)];
  return [
    ...splat(get(MEAN), op.f64x2Splat, MS),
    ...splat(get(LOW), op.f32x4Splat, LS),
    ...splat(get(PER_WIDTH), op.f32x4Splat, WS),
    ...splat([0x43, ...new Uint8Array(new Float32Array([HIST_TOP]).buffer)], op.f32x4Splat, TOP), // f32.const 29
    ...splat(i32Const(HIST_TOP + 1), op.i32x4Splat, SLOT),
    ...get(ACC),
    ...v128Load(0),
    ...set(DL),
    ...get(ACC),
    ...v128Load(16),
    ...set(DH),
    ...LOOP,
    ...get(X),
    ...v128Load(),
    ...set(V),
    ...finiteMask(V, M),
    ...promote(V, VL, VH),
    ...addTo(DL, op.f64x2Add, deviation(VL, op.i64x2ExtendLow)),
    ...addTo(DH, op.f64x2Add, deviation(VH, op.i64x2ExtendHigh)),
    // Bins of the four lanes in one i32x4; a non-finite lane goes to the extra slot.
    ...bins,
    ...get(SLOT),
    ...get(M),
    ...op.bitselect,
    ...i32Const(2),
    ...op.i32x4Shl,
    ...set(IDX),
    ...[0, 1, 2, 3].flatMap(countLane),
    ...addConst(X, 16),
    ...countDown(N4),
    ...END,
    ...get(ACC),
    ...get(DL),
    ...v128Store(0),
    ...get(ACC),
    ...get(DH),
    ...v128Store(16),
  ];
}

/**
 * A finite value's histogram bin, in float32 arithmetic as the SIMD loop computes it. || 0: a range too narrow for
 * its magnitude (lo + 1e-12 == lo) gives 0 * Infinity, NaN here: the first bin.
 */
export function binOf(v: number, lo: number, perWidth: number, bins: number): number {
  const f = Math.fround;
  return Math.min(bins - 1, Math.floor(f(f(v - f(lo)) * f(perWidth)))) || 0;
}

type Grad = (x: number, n4: number, acc: number) => void;
type Units = (x: number, rows: number, groups: number, acc: number, z: number) => void;
type Bins = (x: number, n4: number, acc: number, mean: number, lo: number, perWidth: number, counts: number) => void;
interface SummarySimd {
  grad: Grad;
  units: Units;
  bins: Bins;
}

function compileSummarySimd(memory: unknown): SummarySimd | null {
  const exports = instantiate(
    memory,
    moduleBytes([
      { name: 'grad', params: [I32, I32, I32], locals: [[10, V128]], code: gradCode() },
      {
        name: 'units',
        params: [I32, I32, I32, I32, F32],
        locals: [
          [2, I32],
          [9, V128],
        ],
        code: unitsCode(),
      },
      {
        name: 'bins',
        params: [I32, I32, I32, F64, F32, F32, I32],
        locals: [
          [1, I32],
          [13, V128],
        ],
        code: binsCode(),
      },
    ]),
  );
  if (exports === null) return null;
  return { grad: exports['grad'] as Grad, units: exports['units'] as Units, bins: exports['bins'] as Bins };
}

type SimdBackend = HeapBackend & {
  wasm: HeapBackend['wasm'] & { asm?: { memory?: unknown }; _free(p: number): void };
};

let simdEnabled = true;
/** For tests: the JavaScript loops everywhere, to compare them with these. */
export function setSummarySimd(enabled: boolean): void {
  simdEnabled = enabled;
}

const compiled = new WeakMap<object, { simd: SummarySimd | null; scratch: number; bytes: number }>();

/** The compiled loops and a scratch area of at least `bytes` on the heap, or null where they cannot run. */
function prepare(t: tf.Tensor, bytes: number): { simd: SummarySimd; backend: SimdBackend; scratch: number } | null {
  const backend = simdEnabled ? (heapHolding(t) as SimdBackend | null) : null;
  if (backend === null) return null;
  const module = backend.wasm;
  let entry = compiled.get(module);
  if (entry === undefined) {
    entry = { simd: compileSummarySimd(module.asm?.memory), scratch: 0, bytes: 0 };
    compiled.set(module, entry);
  }
  if (entry.simd === null) return null;
  if (entry.bytes < bytes) {
    if (entry.scratch !== 0) module._free(entry.scratch);
    entry.bytes = Math.max(bytes, 4096);
    entry.scratch = module._malloc(entry.bytes);
  }
  return { simd: entry.simd, backend, scratch: entry.scratch };
}

export interface GradientSums {
  squares: number;
  absolutes: number;
  finite: number;
}

/** Sums of squares and of absolute values of the finite values, and their count; null off wasm (or without SIMD). */
export function gradientSumsOnHeap(t: tf.Tensor): GradientSums | null {
  const ready = prepare(t, 80);
  if (ready === null) return null;
  const { simd, backend, scratch } = ready;
  const x = heapAddress(backend, t);
  const n4 = Math.floor(t.size / 4);
  new Uint8Array(backend.wasm.HEAPU8.buffer, scratch, 80).fill(0);
  if (n4 > 0) simd.grad(x, n4, scratch);
  const f64 = new Float64Array(backend.wasm.HEAPU8.buffer, scratch, 8);
  const fin = new Int32Array(backend.wasm.HEAPU8.buffer, scratch + 64, 4);
  const out = {
    squares: f64[0]! + f64[1]! + f64[2]! + f64[3]!,
    absolutes: f64[4]! + f64[5]! + f64[6]! + f64[7]!,
    finite: fin[0]! + fin[1]! + fin[2]! + fin[3]!,
  };
  const tail = new Float32Array(backend.wasm.HEAPU8.buffer, x + 16 * n4, t.size - 4 * n4);
  for (const v of tail) {
    if (v - v !== 0) continue;
    out.squares += v * v;
    out.absolutes += Math.abs(v);
    out.finite++;
  }
  return out;
}

let unitsCalls = 0;
/** For tests: how many tensors the per-unit SIMD loop has summarized in this process. */
export function unitSumsCalls(): number {
  return unitsCalls;
}

export interface UnitSums {
  finite: number;
  min: number;
  max: number;
  sum: number;
  nonPositive: Float64Array;
  saturated: Float64Array;
  unitSum: Float64Array;
  unitSquares: Float64Array;
}

/**
 * Per-unit counts and sums of a tensor whose last axis has `units` (a multiple of 4), with the whole tensor's finite
 * count, range and sum; null off wasm, without SIMD, or for other unit counts.
 */
export function unitSumsOnHeap(t: tf.Tensor, units: number, saturationZ: number): UnitSums | null {
  if (units % 4 !== 0 || t.size === 0) return null;
  const groups = units / 4;
  const bytes = HEAD_BYTES + groups * GROUP_BYTES;
  const ready = prepare(t, bytes);
  if (ready === null) return null;
  unitsCalls++;
  const { simd, backend, scratch } = ready;
  const heap = backend.wasm.HEAPU8.buffer;
  new Uint8Array(heap, scratch, bytes).fill(0);
  new Float32Array(heap, scratch + 16, 8).set([
    Infinity,
    Infinity,
    Infinity,
    Infinity,
    -Infinity,
    -Infinity,
    -Infinity,
    -Infinity,
  ]);
  simd.units(heapAddress(backend, t), t.size / units, groups, scratch, saturationZ);
  const head = new Int32Array(heap, scratch, 4);
  const range = new Float32Array(heap, scratch + 16, 8);
  const out: UnitSums = {
    finite: head[0]! + head[1]! + head[2]! + head[3]!,
    min: Math.min(range[0]!, range[1]!, range[2]!, range[3]!),
    max: Math.max(range[4]!, range[5]!, range[6]!, range[7]!),
    sum: 0,
    nonPositive: new Float64Array(units),
    saturated: new Float64Array(units),
    unitSum: new Float64Array(units),
    unitSquares: new Float64Array(units),
  };
  for (let g = 0; g < groups; g++) {
    const at = scratch + HEAD_BYTES + g * GROUP_BYTES;
    const counts = new Int32Array(heap, at, 8);
    const sums = new Float64Array(heap, at + 32, 8);
    for (let k = 0; k < 4; k++) {
      const u = 4 * g + k;
      out.nonPositive[u] = counts[k]!;
      out.saturated[u] = counts[4 + k]!;
      out.unitSum[u] = sums[k]!;
      out.unitSquares[u] = sums[4 + k]!;
    }
  }
  for (const s of out.unitSum) out.sum += s;
  return out;
}

/**
 * The sum of squared deviations from `mean` of the finite values, and their histogram counts over `bins` bins from
 * `lo` (bin = min(bins - 1, floor((v - lo) * perWidth))); null off wasm or without SIMD.
 */
export function deviationAndBinsOnHeap(
  t: tf.Tensor,
  mean: number,
  lo: number,
  perWidth: number,
  bins: number,
): { squares: number; counts: Float64Array } | null {
  if (bins !== HIST_TOP + 1) return null;
  const bytes = 32 + 4 * ROW_BYTES;
  const ready = prepare(t, bytes);
  if (ready === null) return null;
  const { simd, backend, scratch } = ready;
  const heap = backend.wasm.HEAPU8.buffer;
  new Uint8Array(heap, scratch, bytes).fill(0);
  const x = heapAddress(backend, t);
  const n4 = Math.floor(t.size / 4);
  if (n4 > 0) simd.bins(x, n4, scratch, mean, lo, perWidth, scratch + 32);
  const dev = new Float64Array(heap, scratch, 4);
  const lanes = new Int32Array(heap, scratch + 32, 4 * (ROW_BYTES / 4));
  const counts = Float64Array.from({ length: bins }, (_, b) => {
    let n = 0;
    for (let k = 0; k < 4; k++) n += lanes[k * (ROW_BYTES / 4) + b]!;
    return n;
  });
  let squares = dev[0]! + dev[1]! + dev[2]! + dev[3]!;
  for (const v of new Float32Array(heap, x + 16 * n4, t.size - 4 * n4)) {
    if (v - v !== 0) continue;
    squares += (v - mean) ** 2;
    counts[binOf(v, lo, perWidth, bins)]! += 1;
  }
  return { squares, counts };
}
