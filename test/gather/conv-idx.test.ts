import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { selectBackend } from '../../src/gather/backend/backend.js';

/** An IDX file (MNIST layout, unsigned bytes): magic 00 00 08 <dims>, big-endian sizes, then the values. */
function idx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...head, ...Array.from(values)]);
}

describe('IDX images (no channel axis) into a conv net built from a spec', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('trains: the built model takes [h, w, 1], as Keras code adds x[..., None] (it failed with "expected ndim=4, found ndim=3")', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-conv-idx-'));
    const n = 48;
    const side = 8;
    const pixels = new Uint8Array(n * side * side);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2; // class 0: a bright top half; class 1: a bright bottom half
      for (let p = 0; p < side * side; p++)
        pixels[i * side * side + p] = p < (side * side) / 2 === (i % 2 === 0) ? 200 + (p % 7) : 10 + (i % 5);
    }
    writeFileSync(path.join(dir, 'images-idx3-ubyte'), idx([n, side, side], pixels));
    writeFileSync(path.join(dir, 'labels-idx1-ubyte'), idx([n], labels));
    const r = await audit(
      {
        model: {
          train: {
            layers: [
              { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
              { type: 'flatten' },
              { type: 'dense', units: 2, activation: 'softmax' },
            ],
            loss: 'sparseCategoricalCrossentropy',
            epochs: 2,
            batchSize: 16,
          },
        },
        data: {
          idx: { images: 'images-idx3-ubyte', labels: 'labels-idx1-ubyte' },
          rescale: 1 / 255,
          mean: 0.5,
          std: 0.5,
        },
      },
      { baseDir: dir },
    );
    expect(r.model.inputShape).toEqual([null, side, side, 1]);
    expect(r.training.history?.epochs).toEqual([1, 2]);
  }, 120_000);
});
