import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import type { WasmBackend } from '../../src/gather/backend/wasm/kernel-types.js';
import { onWasmAndCpu, values } from './wasm-compare.js';

const CASES = [
  { name: 'batch rows (model.fit)', x: [50, 40], indices: [7, 0, 49, 7, 3], axis: 0, batchDims: 0, dtype: 'float32' },
  { name: 'rows of images', x: [10, 4, 4, 2], indices: [9, 1, 1], axis: 0, batchDims: 0, dtype: 'float32' },
  { name: 'int32 rows', x: [20, 32], indices: [19, 0, 5], axis: 0, batchDims: 0, dtype: 'int32' },
  { name: 'middle axis', x: [3, 6, 20], indices: [5, 0, 2, 2], axis: 1, batchDims: 0, dtype: 'float32' },
  {
    name: 'batchDims 1',
    x: [2, 5, 16],
    indices: [
      [4, 0, 1],
      [2, 2, 3],
    ],
    axis: 1,
    batchDims: 1,
    dtype: 'float32',
  },
  { name: 'small slices (original kernel)', x: [30, 2], indices: [1, 29, 0], axis: 0, batchDims: 0, dtype: 'float32' },
] as const;

describe('wasm GatherV2 by slice copies', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('GatherV2');
  });

  it.each(CASES)('$name equals cpu exactly', async ({ x, indices, axis, batchDims, dtype }) => {
    const n = x.reduce((p: number, d: number) => p * d, 1);
    const { wasm, cpu } = await onWasmAndCpu(() => [
      tf.gather(
        tf.tensor(
          values(n, 3).map((v) => (dtype === 'int32' ? Math.round(v * 1000) : v)),
          [...x],
          dtype,
        ),
        tf.tensor(indices as unknown as number[], undefined, 'int32'),
        axis,
        batchDims,
      ),
    ]);
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
  });

  it('rejects an index out of range, naming it', () => {
    expect(() => tf.gather(tf.zeros([4, 32]), tf.tensor1d([1, 4], 'int32'))).toThrow(
      /index value 4 is not in \[0, 3\]/,
    );
  });

  it('leaks no tensors or wasm data', () => {
    const backend = tf.backend() as unknown as WasmBackend;
    const x = tf.tensor2d(values(64 * 100, 4), [64, 100]);
    const idx = tf.tensor1d([5, 1, 63], 'int32');
    tf.gather(x, idx).dispose();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 100; i++) tf.gather(x, idx).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    tf.dispose([x, idx]);
  });
});

describe('wasm Tile by block copies', () => {
  const TILES = [
    { name: 'batch-norm gradient [1,1,1,C] to [B,H,W,C]', x: [1, 1, 1, 6], reps: [3, 5, 4, 1] },
    { name: 'rank 2 rows', x: [1, 7], reps: [9, 1] },
    { name: 'odd total (last copy partial)', x: [1, 1, 3], reps: [5, 3, 1] },
    { name: 'general tiling (original kernel)', x: [2, 3], reps: [2, 2] },
  ];
  it.each(TILES)('$name equals cpu exactly', async ({ x, reps }) => {
    await selectBackend('wasm');
    const n = x.reduce((p, d) => p * d, 1);
    const { wasm, cpu } = await onWasmAndCpu(() => [tf.tile(tf.tensor(values(n, 9), x), reps)]);
    expect(wasm[0]!.length).toBe(n * reps.reduce((p, r) => p * r, 1));
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
  });
});
