import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

type Pad = 'valid' | 'same' | number;
const PADS: Pad[] = ['valid', 'same', 1];
const CASES = [1, 2]
  .flatMap((stride) =>
    PADS.flatMap((pad) =>
      [2, 3].flatMap((size) =>
        [
          [1, 1],
          [4, 3],
          [2, 16],
        ].map(([batch, channels]) => ({ stride, pad, size, batch: batch!, channels: channels! })),
      ),
    ),
  )
  // tfjs only allows a numeric pad where the output size comes out whole (it rounds otherwise only with dimRoundingMode)
  .filter((c) => c.pad !== 1 || (7 + 2 - c.size) % c.stride === 0);

/** Values on a coarse grid, so that windows hold ties: the first maximum in row-major order must win, as on cpu. */
const tied = (n: number, seed: number) => values(n, seed).map((v) => Math.round(v * 2) / 2);

describe('pooling gradients on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining(['MaxPoolGrad', 'AvgPoolGrad']));
  });

  const grads = (kind: 'max' | 'avg', stride: number, pad: Pad, size: number, batch: number, channels: number) => () =>
    tf.tidy(() => {
      const shape: [number, number, number, number] = [batch, 7, 6, channels];
      const x = tf.tensor4d(tied(batch * 7 * 6 * channels, 11), shape);
      const pool = (t: tf.Tensor) => (kind === 'max' ? tf.maxPool : tf.avgPool)(t as tf.Tensor4D, size, stride, pad);
      const w = values(tf.util.sizeFromShape(pool(x).shape), 12);
      return [
        tf.grad((t: tf.Tensor) =>
          pool(t)
            .mul(tf.tensor(w, pool(x).shape))
            .sum(),
        )(x),
      ];
    });

  it.each(CASES)(
    'MaxPoolGrad equals cpu: stride $stride, pad $pad, size $size, batch $batch, channels $channels',
    async ({ stride, pad, size, batch, channels }) => {
      const { wasm, cpu } = await onWasmAndCpu(grads('max', stride, pad, size, batch, channels));
      expect(wasm[0]!.length).toBe(batch * 7 * 6 * channels);
      // The same additions in the same order: exact, ties included.
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-6);
    },
  );

  it.each(CASES)(
    'AvgPoolGrad equals cpu: stride $stride, pad $pad, size $size, batch $batch, channels $channels',
    async ({ stride, pad, size, batch, channels }) => {
      const { wasm, cpu } = await onWasmAndCpu(grads('avg', stride, pad, size, batch, channels));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  it('an all -Infinity window passes no gradient, as on cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d([-Infinity, -Infinity, -Infinity, -Infinity, 1, 2, 3, 4], [1, 2, 4, 1]);
        return [tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').sum())(x)];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect([...wasm[0]!]).toEqual([...cpu[0]!]);
  });

  it('a max-pooling layer trains to the same weights as on cpu, and leaks no tensors', async () => {
    const fit = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(4 * 8 * 8 * 3, 4), [4, 8, 8, 3]);
        const f = tf.variable(tf.tensor4d(values(3 * 3 * 3 * 16, 5), [3, 3, 3, 16]));
        const opt = tf.train.sgd(0.05);
        for (let i = 0; i < 3; i++) {
          opt.minimize(
            () =>
              tf
                .avgPool(tf.maxPool(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), 2, 2, 'same'), 2, 1, 'valid')
                .square()
                .mean() as tf.Scalar,
          );
        }
        const out = f.clone();
        opt.dispose();
        f.dispose();
        return [out];
      });
    const before = tf.memory().numTensors;
    const { wasm, cpu } = await onWasmAndCpu(fit);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
