import type { Histogram, Stats } from '../../artifacts/schema.js';
import type { tf } from '../tf.js';
import { HISTOGRAM_BINS } from './stats.js';
import { heapView } from '../backend/wasm/heap-view.js';
import { binOf, deviationAndBinsOnHeap, gradientSumsOnHeap, unitSumsOnHeap } from '../backend/wasm/summary-simd.js';

/**
 * The numbers a probe records of one tensor, each computed in as few passes over the downloaded values as its
 * definition allows. A probe of a conv net summarizes tens of millions of values (256 probe images, every layer's
 * output and gradient): as tfjs ops (isFinite, where, norm, abs, mean per tensor) and then separate JavaScript
 * passes per statistic, that was most of a probe's time and made the diagnostics cost 1.5x the training of a
 * Fashion-MNIST CNN (issue #25). Definitions are those of stats.ts (`summarize`, `histogram`), whose accumulation
 * order these loops keep, so the activation numbers are the same to the last bit.
 */

export interface GradientSummary {
  /** L2 norm of the finite values (non-finite ones count as 0). */
  norm: number;
  /** Mean absolute value over all values, non-finite ones counted as 0. */
  meanAbs: number;
  nonFinite: number;
}

/**
 * One pass; sums in double precision, so a gradient of 1e20 has a norm of 1e20 (float32 sums of squares
 * overflowed to Infinity there and the norm was recorded as null).
 */
export function summarizeGradient(values: ArrayLike<number>): GradientSummary {
  let sq = 0;
  let abs = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is NaN for NaN and +-Infinity, 0 for every finite v: one comparison instead of Number.isFinite's call.
    if (v - v !== 0) {
      nonFinite++;
      continue;
    }
    sq += v * v;
    abs += v < 0 ? -v : v;
  }
  return { norm: Math.sqrt(sq), meanAbs: values.length ? abs / values.length : NaN, nonFinite };
}

/** What a probe records of one layer's output (or pre-activation): the same numbers for either. */
export interface TensorSummary {
  stats: Stats;
  histogram: Histogram | null;
  /** Per unit (the last axis): the share of values that are <= 0. */
  unitNonPositiveFraction: number[];
  /** Per unit: the share of values with |v| >= the saturation threshold. */
  unitSaturatedFraction: number[];
  /** Per unit: the population standard deviation of its finite values, divided by all of its values' count. */
  unitStd: number[];
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The summary of a tensor: on the wasm heap with SIMD loops where they run, else over its downloaded values. */
export async function summarizeTensor(t: tf.Tensor, units: number, saturationZ: number): Promise<TensorSummary> {
  const sums = unitSumsOnHeap(t, units, saturationZ);
  if (sums === null) return summarizeValues(await valuesOf(t), units, saturationZ);
  const first: FirstPass = {
    n: sums.finite,
    nonFinite: t.size - sums.finite,
    sum: sums.sum,
    min: sums.min,
    max: sums.max,
  };
  const { mean, lo, perWidth } = binning(first);
  const second = first.n > 0 ? deviationAndBinsOnHeap(t, mean, lo, perWidth, HISTOGRAM_BINS) : null;
  const { stats, histogram } =
    first.n > 0 && second === null ? secondPass(await valuesOf(t), first) : finish(first, second);
  return {
    stats,
    histogram,
    ...perUnit(t.size / units, sums.nonPositive, sums.saturated, sums.unitSum, sums.unitSquares),
  };
}

/** The gradient summary of a tensor, on the wasm heap where it can be. */
export async function summarizeGradientTensor(t: tf.Tensor): Promise<GradientSummary> {
  const sums = gradientSumsOnHeap(t);
  if (sums === null) return summarizeGradient(await valuesOf(t));
  return {
    norm: Math.sqrt(sums.squares),
    meanAbs: t.size ? sums.absolutes / t.size : NaN,
    nonFinite: t.size - sums.finite,
  };
}

const valuesOf = async (t: tf.Tensor): Promise<Float32Array> => heapView(t) ?? ((await t.data()) as Float32Array);

/** The JavaScript loops (any backend): moments, range, per-unit shares and the histogram in two passes. */
export function summarizeValues(values: ArrayLike<number>, units: number, saturationZ: number): TensorSummary {
  const nonPositive = new Float64Array(units);
  const saturated = new Float64Array(units);
  const unitSum = new Float64Array(units);
  const unitSq = new Float64Array(units);
  let n = 0;
  let nonFinite = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  // u walks the last axis alongside i (i % units without a division per value).
  for (let i = 0, u = 0; i < values.length; i++) {
    const v = values[i]!;
    // +(boolean) compiles without a branch: on a ReLU's output, v <= 0 is a coin toss a branch would mispredict.
    nonPositive[u]! += +(v <= 0);
    saturated[u]! += +(Math.abs(v) >= saturationZ);
    if (v - v === 0) {
      n++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      unitSum[u]! += v;
      unitSq[u]! += v * v;
    } else nonFinite++;
    if (++u === units) u = 0;
  }
  const { stats, histogram } = secondPass(values, { n, nonFinite, sum, min, max });
  return { stats, histogram, ...perUnit(values.length / units, nonPositive, saturated, unitSum, unitSq) };
}

function perUnit(
  rows: number,
  nonPositive: Float64Array,
  saturated: Float64Array,
  unitSum: Float64Array,
  unitSq: Float64Array,
): Pick<TensorSummary, 'unitNonPositiveFraction' | 'unitSaturatedFraction' | 'unitStd'> {
  return {
    unitNonPositiveFraction: Array.from(nonPositive, (h) => h / rows),
    unitSaturatedFraction: Array.from(saturated, (h) => h / rows),
    unitStd: Array.from(unitSum, (s, u) => Math.sqrt(Math.max(0, unitSq[u]! / rows - (s / rows) ** 2))),
  };
}

interface FirstPass {
  n: number;
  nonFinite: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * The histogram's bins: equal widths over the finite range. A value's bin is floor((v - lo) * perWidth) in float32
 * (summary-simd.ts' binOf), a product rather than stats.ts' quotient in double precision (a division per value was
 * the slowest part of the loop); the two differ only for a value within a float32 rounding of a bin edge.
 */
function binning(f: FirstPass): { mean: number; lo: number; width: number; perWidth: number } {
  const hi = f.max === f.min ? f.min + 1e-12 : f.max;
  const width = (hi - f.min) / HISTOGRAM_BINS;
  return { mean: f.n ? f.sum / f.n : NaN, lo: f.min, width, perWidth: 1 / width };
}

/** The squared deviations from the mean (summarize's second pass) and the histogram's counts, in one pass. */
function secondPass(values: ArrayLike<number>, f: FirstPass): { stats: Stats; histogram: Histogram | null } {
  if (f.n === 0) return finish(f, null);
  const { mean, lo, perWidth } = binning(f);
  const bins = HISTOGRAM_BINS;
  const counts = new Float64Array(bins);
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    squares += (v - mean) ** 2;
    counts[binOf(v, lo, perWidth, bins)]! += 1;
  }
  return finish(f, { squares, counts });
}

function finish(
  f: FirstPass,
  second: { squares: number; counts: Float64Array } | null,
): { stats: Stats; histogram: Histogram | null } {
  const { mean, lo, width } = binning(f);
  const stats: Stats = {
    count: f.n + f.nonFinite,
    mean: finiteOrNull(mean),
    std: finiteOrNull(f.n && second ? Math.sqrt(second.squares / f.n) : NaN),
    min: finiteOrNull(f.min),
    max: finiteOrNull(f.max),
    nonFinite: f.nonFinite,
  };
  const histogram =
    f.n > 0 && second
      ? {
          edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => lo + i * width),
          counts: Array.from(second.counts),
        }
      : null;
  return { stats, histogram };
}

// Each loop runs once on a few values at load. The first real call is optimized part-way through its loop (on-stack
// replacement); without type feedback for the code after the loop, that code deoptimized as each call returned, and
// every later call started over unoptimized: a probe spent three to ten times longer in these loops.
{
  const few = Float32Array.from({ length: 4096 }, (_, i) => (i % 5) - 2);
  few[7] = NaN;
  for (let round = 0; round < 4; round++) {
    summarizeGradient(few);
    summarizeValues(few, 4, 1);
  }
}
