import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { gradientSumsOnHeap, unitSumsCalls, unitSumsOnHeap } from '../../src/gather/backend/wasm/summary-simd.js';
import { probeModel } from '../../src/gather/train/probe.js';
import { LOSS_FUNCS } from '../../src/gather/train/losses.js';
import {
  summarizeGradient,
  summarizeGradientTensor,
  summarizeTensor,
  summarizeValues,
  type TensorSummary,
} from '../../src/gather/train/probe-summaries.js';
import { histogram, summarize } from '../../src/gather/train/stats.js';
import { values } from './wasm-compare.js';

// The probe's statistics of a layer's output, defined plainly here (the definitions the report and analyzers rest
// on) and compared with the one- and two-pass JavaScript loops (exactly) and the WebAssembly SIMD loops on the wasm
// heap (counts and per-unit numbers exactly, whole-tensor sums to 1e-9).

function reference(v: Float32Array, units: number, z: number): TensorSummary {
  const stats = summarize(v);
  const rows = v.length / units;
  const share = (pred: (x: number) => boolean) =>
    Array.from({ length: units }, (_, u) => {
      let hits = 0;
      for (let r = 0; r < rows; r++) if (pred(v[r * units + u]!)) hits++;
      return hits / rows;
    });
  const unitStd = Array.from({ length: units }, (_, u) => {
    let s = 0;
    let q = 0;
    for (let r = 0; r < rows; r++) {
      const x = v[r * units + u]!;
      if (!Number.isFinite(x)) continue;
      s += x;
      q += x * x;
    }
    return Math.sqrt(Math.max(0, q / rows - (s / rows) ** 2));
  });
  return {
    stats,
    histogram: histogram(v, stats),
    unitNonPositiveFraction: share((x) => x <= 0),
    unitSaturatedFraction: share((x) => Math.abs(x) >= z),
    unitStd,
  };
}

/** Values like a layer's: ReLU zeros, -0, large |z|, a few NaN and +-Infinity. */
function layerValues(n: number, seed: number): Float32Array {
  const v = Float32Array.from(values(n, seed), (x, i) => (i % 3 === 0 ? Math.max(0, x) : x * 8));
  for (let i = 5; i < n; i += 97) v[i] = [NaN, Infinity, -Infinity, -0][i % 4]!;
  return v;
}

describe('probe summaries: JavaScript loops', () => {
  it.each([1, 3, 10, 16])('equal the plain definitions exactly (%i units)', (units) => {
    const v = layerValues(units * 257, units);
    expect(summarizeValues(v, units, 5)).toEqual(reference(v, units, 5));
  });

  it('all non-finite: no moments, no histogram', () => {
    const v = Float32Array.from([NaN, Infinity, -Infinity, NaN]);
    const s = summarizeValues(v, 2, 5);
    expect(s.stats).toEqual({ count: 4, mean: null, std: null, min: null, max: null, nonFinite: 4 });
    expect(s.histogram).toBeNull();
    expect(s.unitSaturatedFraction).toEqual([0.5, 0.5]);
  });

  it('a gradient: L2 norm and mean |g| over finite values, non-finite counted', () => {
    const g = Float32Array.from([3, -4, NaN, Infinity, 0]);
    expect(summarizeGradient(g)).toEqual({ norm: 5, meanAbs: 7 / 5, nonFinite: 2 });
  });

  it('a gradient of 1e20 has a norm of 1e20 (float32 sums of squares overflowed to Infinity, recorded as null)', () => {
    const g = Float32Array.from({ length: 64 }, () => 1e20);
    expect(summarizeGradient(g).norm / 8e20).toBeCloseTo(1, 6);
  });
});

describe('probe summaries on the wasm heap (SIMD)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const close = (a: number | null, b: number | null) => {
    if (a === null || b === null) return expect(a).toBe(b);
    // Sums of millions of terms added in another order: both within ~n * 1e-16 of the exact sum.
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  };

  it.each([
    { shape: [256, 28, 28, 16], seed: 1 },
    { shape: [7, 5, 32], seed: 2 },
    { shape: [1, 1568], seed: 3 },
    { shape: [3, 4], seed: 4 },
  ])('equal the JavaScript loops on $shape', async ({ shape, seed }) => {
    const n = tf.util.sizeFromShape(shape);
    const v = layerValues(n, seed);
    const units = shape[shape.length - 1]!;
    const t = tf.tensor(v, shape);
    const before = tf.memory().numTensors;
    expect(unitSumsOnHeap(t, units, 5)).not.toBeNull(); // the SIMD loops ran, not the fallback
    const simd = await summarizeTensor(t, units, 5);
    const js = summarizeValues(v, units, 5);
    expect(simd.histogram?.counts).toEqual(js.histogram?.counts);
    expect(simd.histogram?.edges).toEqual(js.histogram?.edges);
    expect(simd.unitNonPositiveFraction).toEqual(js.unitNonPositiveFraction);
    expect(simd.unitSaturatedFraction).toEqual(js.unitSaturatedFraction);
    expect(simd.unitStd).toEqual(js.unitStd);
    const { mean, std, ...exact } = simd.stats;
    const { mean: jsMean, std: jsStd, ...jsExact } = js.stats;
    expect(exact).toEqual(jsExact);
    close(mean, jsMean);
    close(std, jsStd);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('units not a multiple of 4 take the JavaScript loops', async () => {
    const v = layerValues(10 * 33, 5);
    const t = tf.tensor(v, [33, 10]);
    expect(unitSumsOnHeap(t, 10, 5)).toBeNull();
    expect(await summarizeTensor(t, 10, 5)).toEqual(summarizeValues(v, 10, 5));
    t.dispose();
  });

  // 1e6: a range of 1e-12 is lost in 1e6 + 1e-12, the bin width is 0 and each bin is 0 * Infinity (NaN): bin 0.
  it.each([0.25, 1e6])('a constant tensor (%d): one bin holds every value', async (value) => {
    const t = tf.fill([64, 8], value);
    const s = await summarizeTensor(t, 8, 5);
    expect(s.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(512);
    expect(s.histogram?.counts[0]).toBe(512);
    expect(s).toEqual(summarizeValues(new Float32Array(512).fill(value), 8, 5));
    t.dispose();
  });

  it.each([1, 3, 4, 1001, 4096])('gradient sums equal the JavaScript loop (%i values)', async (n) => {
    const v = layerValues(n, n);
    const t = tf.tensor(v);
    expect(gradientSumsOnHeap(t)).not.toBeNull();
    const simd = await summarizeGradientTensor(t);
    const js = summarizeGradient(v);
    expect(simd.nonFinite).toBe(js.nonFinite);
    close(simd.norm, js.norm);
    close(simd.meanAbs, js.meanAbs);
    t.dispose();
  });

  /** A detailed probe of a two-class model on 16 random 6x6 images, and how many tensors it summarized on the heap. */
  async function probeOf(model: tf.Sequential, seed: number) {
    const x = tf.randomNormal([16, 6, 6, 1], 0, 1, 'float32', seed);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0], 'int32'), 2).toFloat();
    const before = unitSumsCalls();
    try {
      const { activations } = await probeModel(model, x, y, LOSS_FUNCS.categoricalCrossentropy, 0, true);
      return { activations, heapSummaries: unitSumsCalls() - before };
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  }

  it('a probe summarizes each buffer once per unit count: a ReLU after batch norm, a dropout after flatten', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, padding: 'same', seed: 1 } as never),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const { activations, heapSummaries } = await probeOf(model, 3);
    // On the heap (units a multiple of 4): conv, batch norm, ReLU, flatten, dense z and dense output. The ReLU's
    // pre-activation is batch norm's output and the dropout's output is flatten's (both were summarized again).
    expect(heapSummaries).toBe(6);
    const byName = new Map(activations!.map((a) => [a.layer, a]));
    const [bn, relu, flat, drop] = ['batch', 'activation', 'flatten', 'dropout'].map(
      (p) => [...byName.values()].find((a) => a.layer.startsWith(p))!,
    );
    expect(relu!.preActivation).toEqual({ stats: bn!.stats, histogram: bn!.histogram });
    expect(relu!.unitSaturatedFraction).toHaveLength(4);
    expect({ ...drop!, layer: '', activation: '' }).toEqual({ ...flat!, layer: '', activation: '' });
  });

  it("an Activation layer before any trainable layer (its input has a zero eps added) takes the layer before's summary", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [6, 6, 1] }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const { activations, heapSummaries } = await probeOf(model, 4);
    // On the heap: flatten, the ReLU's output, dense z and dense output; the ReLU's pre-activation is flatten's.
    expect(heapSummaries).toBe(4);
    const [flat, relu] = activations!;
    expect(relu!.preActivation).toEqual({ stats: flat!.stats, histogram: flat!.histogram });
  });

  it('off the wasm heap (cpu) the same numbers come from the downloaded values', async () => {
    const v = layerValues(4 * 50, 9);
    await tf.setBackend('cpu');
    try {
      const t = tf.tensor(v, [50, 4]);
      expect(unitSumsOnHeap(t, 4, 5)).toBeNull();
      expect(await summarizeTensor(t, 4, 5)).toEqual(summarizeValues(v, 4, 5));
      t.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
