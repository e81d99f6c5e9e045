import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { leadingSumSimdCalls, setLeadingSumSimd } from '../../src/gather/backend/wasm/leading-sum.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

// Sums over leading axes (the one-pass kernel: bias gradients of conv and dense layers), and reductions the
// original kernel keeps (inner axes, all axes, int32). Trailing widths: in fours (SIMD alone, one stripe of up to
// 32 columns or several: 40, 300), with a remainder (10, 7, 5: SIMD and JavaScript), under 4 (JavaScript alone);
// row counts over and under a block, not a multiple of it.
const CASES: Array<{ shape: number[]; axis: number[]; keepDims: boolean; dtype: 'float32' | 'int32' }> = [
  { shape: [64, 28, 28, 16], axis: [0, 1, 2], keepDims: false, dtype: 'float32' },
  { shape: [1, 14, 14, 32], axis: [0, 1, 2], keepDims: true, dtype: 'float32' },
  { shape: [64, 10], axis: [0], keepDims: false, dtype: 'float32' },
  { shape: [1, 4], axis: [0], keepDims: false, dtype: 'float32' },
  { shape: [33, 40], axis: [0], keepDims: true, dtype: 'float32' },
  { shape: [7, 9, 300], axis: [0, 1], keepDims: false, dtype: 'float32' },
  { shape: [5, 13, 5], axis: [0, 1], keepDims: false, dtype: 'float32' },
  { shape: [100, 3], axis: [0], keepDims: false, dtype: 'float32' },
  { shape: [3, 5, 7], axis: [0, 1], keepDims: false, dtype: 'float32' },
  { shape: [3, 5, 7], axis: [1, 2], keepDims: false, dtype: 'float32' },
  { shape: [3, 5, 7], axis: [0, 1, 2], keepDims: false, dtype: 'float32' },
  { shape: [6, 4], axis: [0], keepDims: false, dtype: 'int32' },
];

describe('Sum over leading axes on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('Sum');
  });

  it.each(CASES.map((c) => ({ ...c, label: `${c.shape.join('x')} over ${c.axis.join(',')}` })))(
    'equals cpu: $dtype $label keepDims $keepDims',
    async ({ shape, axis, keepDims, dtype }) => {
      const n = tf.util.sizeFromShape(shape);
      const raw = values(n, 41).map((v) => (dtype === 'float32' ? v : Math.round(v * 1000)));
      const run = () => [tf.tidy(() => tf.sum(tf.tensor(raw, shape, dtype), axis, keepDims).cast('float32'))];
      const [before, calls] = [tf.memory().numTensors, leadingSumSimdCalls()];
      const { wasm, cpu } = await onWasmAndCpu(run);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
      // The SIMD loop ran for float32 sums over leading axes whose trailing width holds at least 4 columns.
      const leading = dtype === 'float32' && axis.length < shape.length && axis.every((a, i) => a === i);
      const width = shape.slice(axis.length).reduce((p, d) => p * d, 1);
      expect(leadingSumSimdCalls() - calls).toBe(leading && width >= 4 ? 1 : 0);
      const shapeOf = tf.tidy(() => tf.sum(tf.tensor(raw, shape, dtype), axis, keepDims).shape);
      expect(shapeOf).toEqual(tf.tidy(() => tf.sum(tf.zeros(shape), axis, keepDims).shape));
    },
  );

  it("a conv layer's bias gradient equals cpu", async () => {
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(8 * 12 * 12 * 3, 42), [8, 12, 12, 3]);
        const w = tf.tensor4d(values(3 * 3 * 3 * 16, 43), [3, 3, 3, 16]);
        const b = tf.tensor1d(values(16, 44));
        const f = (bb: tf.Tensor) => tf.conv2d(x, w, 1, 'same').add(bb).square().sum();
        return [tf.grad(f)(b)];
      });
    const { wasm, cpu } = await onWasmAndCpu(grad);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
  });

  // Float32 block sums added in double precision: on 50176 rows the error stays near the output's own rounding.
  it('the SIMD sum of [64, 28, 28, 16] is within 3e-7 of the largest double-precision column sum', async () => {
    const x = tf.randomUniform([64, 28, 28, 16], -1, 1, 'float32', 1);
    const v = await x.data();
    const [exact, magnitude] = [new Float64Array(16), new Float64Array(16)];
    for (let i = 0; i < v.length; i++) {
      exact[i % 16] = exact[i % 16]! + v[i]!;
      magnitude[i % 16] = magnitude[i % 16]! + Math.abs(v[i]!);
    }
    const calls = leadingSumSimdCalls();
    const sum = tf.sum(x, [0, 1, 2]);
    const got = await sum.data();
    tf.dispose([x, sum]);
    expect(leadingSumSimdCalls() - calls).toBe(1);
    const largest = Math.max(...exact.map(Math.abs));
    exact.forEach((e, c) => {
      expect(Math.abs(got[c]! - e) / largest).toBeLessThan(3e-7);
      expect(Math.abs(got[c]! - e) / magnitude[c]!).toBeLessThan(1e-8);
    });
  });

  it('the SIMD loop equals the JavaScript loop on the same input', async () => {
    const x = tf.tensor(values(37 * 11 * 44, 45), [37, 11, 44]);
    const read = async () => {
      const out = tf.sum(x, [0, 1]);
      const data = new Float32Array(await out.data());
      out.dispose();
      return data;
    };
    const calls = leadingSumSimdCalls();
    const simd = await read();
    setLeadingSumSimd(false);
    const js = await read().finally(() => setLeadingSumSimd(true));
    x.dispose();
    expect(leadingSumSimdCalls() - calls).toBe(1);
    expect(maxRelDiff(simd, js)).toBeLessThan(1e-6);
  });
});
