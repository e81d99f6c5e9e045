import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { poolGradSimdCalls, setPoolGradSimd } from '../../src/gather/backend/wasm/pool-grad.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

type Pad = 'valid' | 'same' | number;
const PADS: Pad[] = ['valid', 'same', 1];
/**
 * Images and channel counts: 1 and 3 channels take the JavaScript loop alone, 4, 16 and 32 the SIMD loop alone,
 * 5 both (4 SIMD, 1 JavaScript); 8x8 with 2x2 stride 2 'valid' or 'same' is tiled exactly by its windows (the SIMD
 * loop stores dx instead of adding); odd sizes clip the last windows with 'same'.
 */
const GEOMETRIES = [
  { batch: 1, height: 7, width: 7, channels: 1 },
  { batch: 4, height: 7, width: 6, channels: 3 },
  { batch: 1, height: 8, width: 8, channels: 4 },
  { batch: 3, height: 7, width: 7, channels: 5 },
  { batch: 2, height: 8, width: 8, channels: 16 },
  { batch: 5, height: 9, width: 9, channels: 32 },
];
const CASES = [1, 2]
  .flatMap((stride) =>
    PADS.flatMap((pad) => [2, 3].flatMap((size) => GEOMETRIES.map((g) => ({ stride, pad, size, ...g })))),
  )
  // tfjs only allows a numeric pad where the output size comes out whole (it rounds otherwise only with dimRoundingMode)
  .filter((c) => c.pad !== 1 || [c.height, c.width].every((n) => (n + 2 - c.size) % c.stride === 0));

/** Values on a coarse grid, so that windows hold ties: the first maximum in row-major order must win, as on cpu. */
const tied = (n: number, seed: number) => values(n, seed).map((v) => Math.round(v * 2) / 2);

describe('pooling gradients on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining(['MaxPoolGrad', 'AvgPoolGrad']));
  });

  type Case = (typeof CASES)[number];
  const grads = (kind: 'max' | 'avg', c: Case, xValues?: number[]) => () =>
    tf.tidy(() => {
      const shape: [number, number, number, number] = [c.batch, c.height, c.width, c.channels];
      const x = tf.tensor4d(xValues ?? tied(tf.util.sizeFromShape(shape), 11), shape);
      const pool = (t: tf.Tensor) =>
        (kind === 'max' ? tf.maxPool : tf.avgPool)(t as tf.Tensor4D, c.size, c.stride, c.pad);
      const w = values(tf.util.sizeFromShape(pool(x).shape), 12);
      return [
        tf.grad((t: tf.Tensor) =>
          pool(t)
            .mul(tf.tensor(w, pool(x).shape))
            .sum(),
        )(x),
      ];
    });

  /** Runs `kind`'s gradient on wasm and cpu, checking that the SIMD loop ran exactly when it applies, and no leak. */
  const compare = async (kind: 'max' | 'avg', c: Case, xValues?: number[]) => {
    const [calls, tensors] = [poolGradSimdCalls(), tf.memory().numTensors];
    const result = await onWasmAndCpu(grads(kind, c, xValues));
    expect(poolGradSimdCalls() - calls).toBe(c.channels >= 4 ? 1 : 0);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result.wasm[0]!.length).toBe(c.batch * c.height * c.width * c.channels);
    return result;
  };

  const label = '$height x $width x $channels (batch $batch), size $size, stride $stride, pad $pad';
  it.each(CASES)(`MaxPoolGrad equals cpu: ${label}`, async (c) => {
    const { wasm, cpu } = await compare('max', c);
    // The same winners, ties included; overlapping windows add up in float32 here, in double precision on cpu.
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-6);
  });

  it.each(CASES)(`AvgPoolGrad equals cpu: ${label}`, async (c) => {
    const { wasm, cpu } = await compare('avg', c);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
  });

  // NaN never wins, an all-NaN or all -Infinity window passes no gradient, -Infinity loses to any number, ties go to
  // the first: per channel, in the SIMD lanes (channels 0-3, 4-7) and the JavaScript remainder (channel 8).
  it.each([
    { stride: 2, pad: 'valid' as Pad, size: 2 },
    { stride: 2, pad: 'same' as Pad, size: 3 },
    { stride: 1, pad: 'valid' as Pad, size: 3 },
  ])('MaxPoolGrad with NaN, -Infinity and ties equals cpu: size $size, stride $stride, pad $pad', async (p) => {
    const c = { ...p, batch: 2, height: 6, width: 6, channels: 9 };
    const n = c.batch * c.height * c.width * c.channels;
    const special = [NaN, -Infinity, 0.5, 0.5, -Infinity, NaN, 0.25];
    const xs = Array.from({ length: n }, (_, i) => {
      const [pixel, ch] = [Math.floor(i / c.channels), i % c.channels];
      if (ch % 3 === 0) return NaN; // every window all NaN
      if (ch % 3 === 1) return pixel % 5 === 0 ? 0.5 : -Infinity; // most windows all -Infinity, some a tie of 0.5
      return special[(pixel + ch) % special.length]!;
    });
    const { wasm, cpu } = await compare('max', c, xs);
    // The same winners (gradient where cpu has one, and only there); overlapping windows add up in float32 here.
    expect([...wasm[0]!].map((v) => v !== 0)).toEqual([...cpu[0]!].map((v) => v !== 0));
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-6);
    if (c.size <= c.stride) expect([...wasm[0]!]).toEqual([...cpu[0]!]);
    expect(wasm[0]!.some((v) => v !== 0)).toBe(true);
  });

  it('the SIMD loops equal the JavaScript loops on the same input', async () => {
    const run = grads('max', { stride: 2, pad: 'same', size: 3, batch: 3, height: 9, width: 9, channels: 12 });
    const avg = grads('avg', { stride: 2, pad: 'same', size: 3, batch: 3, height: 9, width: 9, channels: 12 });
    const read = async () => {
      const outs = [...run(), ...avg()];
      const data = await Promise.all(outs.map(async (t) => new Float32Array(await t.data())));
      tf.dispose(outs);
      return data;
    };
    const calls = poolGradSimdCalls();
    const simd = await read();
    expect(poolGradSimdCalls() - calls).toBe(2);
    setPoolGradSimd(false);
    const js = await read().finally(() => setPoolGradSimd(true));
    expect(poolGradSimdCalls() - calls).toBe(2);
    expect(maxRelDiff(simd[0]!, js[0]!)).toBeLessThan(1e-6);
    expect(maxRelDiff(simd[1]!, js[1]!)).toBeLessThan(1e-6);
  });

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
