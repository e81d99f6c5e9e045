import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

// Slices whose trailing axes are whole (copied as runs), contiguous blocks (one copy) and short runs (the original
// kernel), in every dtype the copies take.
const CASES: Array<{ shape: number[]; begin: number[]; size: number[]; dtype: 'float32' | 'int32' | 'bool' }> = [
  { shape: [3, 10, 11, 16], begin: [0, 1, 1, 0], size: [3, 9, 10, 16], dtype: 'float32' },
  { shape: [3, 10, 11, 16], begin: [1, 0, 0, 0], size: [2, 10, 11, 16], dtype: 'float32' },
  { shape: [4, 20, 30], begin: [1, 2, 0], size: [2, 5, 30], dtype: 'int32' },
  { shape: [2, 3, 4, 5, 16], begin: [1, 1, 1, 1, 0], size: [1, 2, 3, 4, 16], dtype: 'float32' },
  { shape: [2, 10, 300], begin: [0, 1, 0], size: [2, 5, 300], dtype: 'bool' },
  { shape: [2, 9, 9, 4], begin: [0, 1, 1, 1], size: [2, 7, 7, 2], dtype: 'float32' },
  { shape: [5, 64, 70], begin: [1, 3, 2], size: [3, 60, 64], dtype: 'float32' },
  { shape: [7, 3], begin: [2, 0], size: [3, 3], dtype: 'int32' },
  { shape: [7, 5], begin: [3, 1], size: [1, 3], dtype: 'bool' },
];

describe('Slice on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('Slice');
  });

  it.each(CASES.map((c) => ({ ...c, label: `${c.shape.join('x')} from ${c.begin.join(',')}` })))(
    'equals cpu: $dtype $label',
    async ({ shape, begin, size, dtype }) => {
      const n = tf.util.sizeFromShape(shape);
      const raw = values(n, 31).map((v) => (dtype === 'float32' ? v : Math.round(v * 1000)));
      const run = () => [tf.tidy(() => tf.slice(tf.tensor(raw, shape, dtype), begin, size).cast('float32'))];
      const before = tf.memory().numTensors;
      const { wasm, cpu } = await onWasmAndCpu(run);
      expect(wasm[0]!.length).toBe(tf.util.sizeFromShape(size));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it("model.predict's batches (contiguous slices) copy the batch, not the whole input", async () => {
    const x = tf.tensor2d(values(400 * 784, 34), [400, 784]);
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...a: unknown[]) => {
      reads++;
      return readSync.apply(backend, a);
    };
    try {
      const batch = tf.slice(x, [64, 0], [64, 784]);
      // tfjs' own kernel read all 400 rows out of the heap for each batch.
      expect(reads).toBe(0);
      backend.readSync = readSync;
      expect(Array.from(await batch.data())).toEqual(Array.from(await x.data()).slice(64 * 784, 128 * 784));
      batch.dispose();
    } finally {
      backend.readSync = readSync;
      x.dispose();
    }
  });

  it('a ZeroPadding2D gradient (a slice of dy) equals cpu', async () => {
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 12 * 12 * 16, 32), [2, 12, 12, 16]);
        const layer = tf.layers.zeroPadding2d({
          padding: [
            [0, 1],
            [0, 1],
          ],
        });
        const w = tf.tensor4d(values(2 * 13 * 13 * 16, 33), [2, 13, 13, 16]);
        return [tf.grad((xx: tf.Tensor) => (layer.apply(xx) as tf.Tensor).mul(w).sum())(x)];
      });
    const { wasm, cpu } = await onWasmAndCpu(grad);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBe(0);
  });
});
