import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { reluGradSimdCalls } from '../../src/gather/backend/wasm/relu-grad.js';
import { onWasmAndCpu, values } from './wasm-compare.js';

// The ReLU gradient dy * step(x) in one SIMD pass against tfjs' Step, Cast and Multiply on cpu: the same float32
// product per value, so equal to the bit, with -0, NaN and infinities where tfjs has them.

/** x and dy with every special case: NaN, +-0, +-Infinity, subnormals, on both sides. */
function specialValues(n: number, seed: number): number[] {
  const special = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3, -3];
  return values(n, seed).map((v, i) => (i % 5 === 0 ? special[(i / 5 + seed) % special.length]! : v));
}

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('Relu gradient on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('NnauditReluGrad');
  });
  afterAll(() => setWasmKernelOverrides(true));

  const grad = (shape: number[]) => () =>
    tf.tidy(() => {
      const n = tf.util.sizeFromShape(shape);
      const x = tf.tensor(specialValues(n, 7), shape);
      const dy = tf.tensor(specialValues(n, 8), shape);
      return [tf.grad((t: tf.Tensor) => tf.relu(t).mul(dy).sum())(x)];
    });

  it.each([[1], [3], [4], [9], [64, 28, 28, 16], [7, 13]])('equals cpu to the bit on %j', async (...shape) => {
    const before = tf.memory().numTensors;
    const calls = reluGradSimdCalls();
    const { wasm, cpu } = await onWasmAndCpu(grad(shape));
    // The SIMD loop ran where there were 4 values or more (the rest of them in the scalar tail).
    expect(reluGradSimdCalls()).toBe(calls + (tf.util.sizeFromShape(shape) >= 4 ? 1 : 0));
    expect(sameBits(wasm[0]!, cpu[0]!)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("with nnaudit's kernels off, tfjs' own gradient runs, with the same values", async () => {
    const on = await onWasmAndCpu(grad([5, 8]));
    setWasmKernelOverrides(false);
    try {
      const calls = reluGradSimdCalls();
      const off = await onWasmAndCpu(grad([5, 8]));
      expect(reluGradSimdCalls()).toBe(calls);
      expect(sameBits(off.wasm[0]!, on.wasm[0]!)).toBe(true);
    } finally {
      setWasmKernelOverrides(true);
    }
  });

  it('a ReLU network trains with the same weight gradients as on cpu', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(values(32 * 12, 9), [32, 12]);
        const w1 = tf.tensor2d(values(12 * 16, 10), [12, 16]);
        const w2 = tf.tensor2d(values(16 * 3, 11), [16, 3]);
        const y = tf.oneHot(
          tf.tensor1d(
            values(32, 12).map((v) => (v > 0.3 ? 2 : v > -0.3 ? 1 : 0)),
            'int32',
          ),
          3,
        );
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, tf.relu(x.matMul(a)).matMul(b));
        return tf.grads(f)([w1, w2]);
      });
    const { wasm, cpu } = await onWasmAndCpu(grads);
    for (let i = 0; i < 2; i++) {
      const scale = Math.max(...cpu[i]!.map(Math.abs));
      const diff = Math.max(...wasm[i]!.map((v, j) => Math.abs(v - cpu[i]![j]!)));
      expect(diff / scale).toBeLessThan(1e-5);
    }
  });
});
