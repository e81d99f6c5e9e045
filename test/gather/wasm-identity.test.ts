import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import type { WasmBackend } from '../../src/gather/backend/wasm/kernel-types.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

type Counting = WasmBackend & { refCount(dataId: object): number };

describe('wasm Identity shares its buffer', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('Identity');
  });

  it('a clone is the same buffer with one more reference, and the copy again when switched off', () => {
    const backend = tf.backend() as unknown as Counting;
    const x = tf.tensor2d(values(12, 1), [3, 4]);
    const y = x.clone();
    expect(y.dataId).toBe(x.dataId);
    expect(backend.refCount(x.dataId)).toBe(2);
    y.dispose();
    expect(backend.refCount(x.dataId)).toBe(1);
    setWasmKernelOverrides(false);
    const copy = x.clone();
    setWasmKernelOverrides(true);
    expect(copy.dataId).not.toBe(x.dataId);
    tf.dispose([x, copy]);
  });

  it('a clone outlives its source with the same values', () => {
    const x = tf.tensor1d(values(9, 2));
    const expected = Array.from(x.dataSync());
    const y = x.clone();
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    y.dispose();
  });

  it('gradients through saved tensors equal cpu', async () => {
    const { wasm, cpu } = await onWasmAndCpu(() => {
      const x = tf.tensor2d(values(8 * 5, 3), [8, 5]);
      const w = tf.tensor2d(values(5 * 3, 4), [5, 3]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.relu(a.matMul(b)).square().sum())([x, w]);
      tf.dispose([x, w]);
      return g;
    });
    wasm.forEach((v, i) => expect(maxRelDiff(v, cpu[i]!)).toBeLessThan(1e-5));
  });

  it('leaks no tensors or wasm data', () => {
    const backend = tf.backend() as unknown as WasmBackend;
    const x = tf.tensor2d(values(64, 5), [8, 8]);
    x.clone().dispose();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 50; i++)
      tf.tidy(() => {
        x.clone().clone();
      });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
  });

  it('a cast to the same dtype shares the buffer; a cast to another dtype converts', async () => {
    const backend = tf.backend() as unknown as Counting;
    const x = tf.tensor1d([1.5, -2, 0]);
    const same = tf.cast(x, 'float32');
    expect(same.dataId).toBe(x.dataId);
    expect(backend.refCount(x.dataId)).toBe(2);
    const ints = tf.cast(x, 'int32');
    expect(ints.dataId).not.toBe(x.dataId);
    expect(Array.from(await ints.data())).toEqual([1, -2, 0]);
    tf.dispose([x, same, ints]);
  });
});
