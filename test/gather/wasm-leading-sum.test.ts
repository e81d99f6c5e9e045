import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

// Sums over leading axes (the one-pass kernel: bias gradients of conv and dense layers), and reductions the
// original kernel keeps (inner axes, all axes, int32).
const CASES: Array<{ shape: number[]; axis: number[]; keepDims: boolean; dtype: 'float32' | 'int32' }> = [
  { shape: [64, 28, 28, 16], axis: [0, 1, 2], keepDims: false, dtype: 'float32' },
  { shape: [1, 14, 14, 32], axis: [0, 1, 2], keepDims: true, dtype: 'float32' },
  { shape: [64, 10], axis: [0], keepDims: false, dtype: 'float32' },
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
      const before = tf.memory().numTensors;
      const { wasm, cpu } = await onWasmAndCpu(run);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
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
});
