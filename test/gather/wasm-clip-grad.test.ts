import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

/** Counts kernel calls by name while `fn` runs (tfjs' own clip gradient calls LogicalAnd; the fused one never does). */
function kernelCalls(fn: () => void): string[] {
  const names: string[] = [];
  const engine = tf.engine() as unknown as { runKernelFunc: (args: { kernelName: string }) => unknown };
  const run = engine.runKernelFunc;
  engine.runKernelFunc = function (this: unknown, args: { kernelName: string }) {
    names.push(args.kernelName);
    return run.call(this, args);
  };
  try {
    fn();
  } finally {
    engine.runKernelFunc = run;
  }
  return names;
}

describe('clipByValue (ReLU6) gradient on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('NnauditClipByValueGrad');
  });

  // Sizes not a multiple of 4 (the SIMD loop's remainder), values on both bounds exactly, NaN, and a model layer.
  it.each([[7], [4, 4], [2, 5, 5, 3], [16, 33]])(
    'equals cpu for shape %j, bounds included, NaN gives 0',
    async (...shape) => {
      const grad = () =>
        tf.tidy(() => {
          const n = tf.util.sizeFromShape(shape);
          const raw = values(n, 21).map((v, i) => (i % 5 === 0 ? 0 : i % 7 === 0 ? 6 : i === 3 ? Number.NaN : v * 9));
          const x = tf.tensor(raw, shape);
          const w = tf.tensor(values(n, 22), shape);
          return [tf.grad((xx: tf.Tensor) => tf.clipByValue(xx, 0, 6).mul(w).sum())(x)];
        });
      const before = tf.memory().numTensors;
      const { wasm, cpu } = await onWasmAndCpu(grad);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('a ReLU6 layer trains as on cpu, in one kernel; switched off, tfjs gradient runs again', async () => {
    const fit = () =>
      tf.tidy(() => {
        const model = tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [6], units: 12, kernelInitializer: 'ones' }),
            tf.layers.reLU({ maxValue: 6 }),
          ],
        });
        model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
        const x = tf.tensor2d(values(8 * 6, 23), [8, 6]);
        const y = tf.tensor2d(values(8 * 12, 24), [8, 12]);
        const f = () => model.optimizer.minimize(() => model.evaluate(x, y) as tf.Scalar);
        const calls = kernelCalls(() => f());
        for (let i = 0; i < 2; i++) f();
        return [tf.tensor1d(calls.includes('LogicalAnd') ? [1] : [0]), model.getWeights()[0]!.clone()];
      });
    const { wasm, cpu } = await onWasmAndCpu(fit);
    expect(wasm[0]![0]).toBe(0);
    expect(cpu[0]![0]).toBe(1);
    expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
    setWasmKernelOverrides(false);
    try {
      expect(
        kernelCalls(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.clipByValue(x, 0, 6).sum())(tf.ones([3])))),
      ).toContain('LogicalAnd');
    } finally {
      setWasmKernelOverrides(true);
    }
  });
});
