import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { biasAddSimdCalls } from '../../src/gather/backend/wasm/bias-add.js';
import { onWasmAndCpu, values } from './wasm-compare.js';

// A channel vector added to a tensor with the channels last: the SIMD loop against the cpu backend (the same float32
// additions, so equal to the bit), and the shapes it leaves to tfjs' own kernel.
const SIMD_CASES: Array<{ x: number[]; b: number[]; biasFirst?: boolean }> = [
  { x: [64, 28, 28, 16], b: [16] },
  { x: [3, 9, 11, 32], b: [1, 1, 1, 32] },
  { x: [8, 16, 16, 8], b: [8], biasFirst: true },
  { x: [4096, 4], b: [4] },
  { x: [1, 4096], b: [4096] },
];

const ORIGINAL_CASES: Array<{ label: string; x: number[]; b: number[] }> = [
  { label: 'channels not a multiple of 4', x: [64, 10, 10, 6], b: [6] },
  { label: 'too few values to gain', x: [2, 3, 3, 16], b: [16] },
  { label: 'a bias over another axis', x: [64, 16, 8, 8], b: [16, 1, 1] },
  { label: 'two full tensors', x: [64, 8, 8, 16], b: [64, 8, 8, 16] },
];

describe('Add of a channel bias on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('Add (channel bias)');
  });

  const run =
    (x: number[], b: number[], biasFirst = false) =>
    () =>
      tf.tidy(() => {
        const xt = tf.tensor(
          values(tf.util.sizeFromShape(x), 41).map((v) => v * 1e3),
          x,
        );
        // Tiny and huge values beside ordinary ones: each sum must round as one float32 addition.
        const bv = values(tf.util.sizeFromShape(b), 42).map((v, i) =>
          i % 3 === 0 ? v * 1e-6 : i % 3 === 1 ? v : v * 1e7,
        );
        const bt = tf.tensor(bv, b);
        return [biasFirst ? tf.add(bt, xt) : tf.add(xt, bt)];
      });

  it.each(
    SIMD_CASES.map((c) => ({
      ...c,
      label: `${c.x.join('x')} + ${c.b.join('x')}${c.biasFirst ? ' (bias first)' : ''}`,
    })),
  )('runs the SIMD loop and equals cpu to the bit: $label', async ({ x, b, biasFirst }) => {
    const before = tf.memory().numTensors;
    const calls = biasAddSimdCalls();
    const { wasm, cpu } = await onWasmAndCpu(run(x, b, biasFirst));
    expect(biasAddSimdCalls()).toBe(calls + 1);
    expect(wasm[0]!.length).toBe(tf.util.sizeFromShape(x));
    expect(Buffer.from(wasm[0]!.buffer).equals(Buffer.from(cpu[0]!.buffer))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(ORIGINAL_CASES)('leaves $label to tfjs (and still equals cpu)', async ({ x, b }) => {
    const calls = biasAddSimdCalls();
    const { wasm, cpu } = await onWasmAndCpu(run(x, b));
    expect(biasAddSimdCalls()).toBe(calls);
    expect(Buffer.from(wasm[0]!.buffer).equals(Buffer.from(cpu[0]!.buffer))).toBe(true);
  });

  it("a data-input conv's bias gradient is unchanged (the tape sees an ordinary Add)", async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(8 * 10 * 10 * 1, 43), [8, 10, 10, 1]);
        const w = tf.tensor4d(values(3 * 3 * 1 * 16, 44), [3, 3, 1, 16]);
        const bias = tf.tensor1d(values(16, 45));
        const f = (wt: tf.Tensor, bt: tf.Tensor) =>
          tf
            .relu(tf.add(tf.conv2d(x, wt as tf.Tensor4D, 1, 'same'), bt))
            .square()
            .sum();
        const [dw, db] = tf.grads(f)([w, bias]);
        return [dw!, db!];
      });
    const { wasm, cpu } = await onWasmAndCpu(grads);
    for (let i = 0; i < 2; i++) {
      const scale = Math.max(...cpu[i]!.map(Math.abs));
      const diff = Math.max(...wasm[i]!.map((v, j) => Math.abs(v - cpu[i]![j]!)));
      expect(diff / scale).toBeLessThan(1e-5);
    }
  });
});
