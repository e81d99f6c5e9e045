import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

const CASES = [1, 2].flatMap((stride) =>
  (['valid', 'same'] as const).flatMap((pad) => [1, 2].map((multiplier) => ({ stride, pad, multiplier }))),
);

/** Counts writes into the cpu backend: the cpu bridge copies every input there, the composed kernels never do. */
function countCpuWrites<T>(fn: () => T): { result: T; writes: number } {
  const cpu = tf.engine().findBackend('cpu') as unknown as { write: (...args: unknown[]) => unknown };
  const write = cpu.write;
  let writes = 0;
  cpu.write = (...args: unknown[]) => {
    writes++;
    return write.apply(cpu, args);
  };
  try {
    return { result: fn(), writes };
  } finally {
    cpu.write = write;
  }
}

describe('depthwise convolution gradients on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(
      expect.arrayContaining(['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']),
    );
  });

  const grads = (stride: number, pad: 'valid' | 'same', multiplier: number) => () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 9 * 8 * 3, 1), [2, 9, 8, 3]);
      const f = tf.tensor4d(values(3 * 3 * 3 * multiplier, 2), [3, 3, 3, multiplier]);
      const w = tf.tensor4d(values(2 * 9 * 8 * 3 * multiplier, 3), [2, 9, 8, 3 * multiplier]); // weights the output so each position's gradient differs
      const loss = (xx: tf.Tensor, ff: tf.Tensor) => {
        const y = tf.depthwiseConv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, stride, pad);
        return y.mul(tf.slice(w, [0, 0, 0, 0], y.shape)).sum();
      };
      return tf.grads(loss)([x, f]);
    });

  it.each(CASES)(
    'input and filter gradients equal cpu: stride $stride, $pad, multiplier $multiplier',
    async ({ stride, pad, multiplier }) => {
      const { wasm, cpu } = await onWasmAndCpu(grads(stride, pad, multiplier));
      expect(wasm[0]!.length).toBe(2 * 9 * 8 * 3);
      expect(wasm[1]!.length).toBe(3 * 3 * 3 * multiplier);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
    },
  );

  it('runs without the cpu bridge; with the overrides switched off it uses the bridge again', () => {
    const on = countCpuWrites(() => tf.dispose(grads(2, 'same', 2)()));
    setWasmKernelOverrides(false);
    const off = (() => {
      try {
        return countCpuWrites(() => tf.dispose(grads(2, 'same', 2)()));
      } finally {
        setWasmKernelOverrides(true);
      }
    })();
    expect(on.writes).toBe(0);
    expect(off.writes).toBeGreaterThan(0);
  });

  it('a DepthwiseConv2D layer trains to the same weights as on cpu, and leaks no tensors', async () => {
    const fit = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(4 * 10 * 10 * 4, 4), [4, 10, 10, 4]);
        const f = tf.variable(tf.tensor4d(values(3 * 3 * 4 * 1, 5), [3, 3, 4, 1]));
        const opt = tf.train.sgd(0.05);
        for (let i = 0; i < 3; i++)
          opt.minimize(
            () =>
              tf
                .depthwiseConv2d(tf.relu(x) as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')
                .square()
                .mean() as tf.Scalar,
          );
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
