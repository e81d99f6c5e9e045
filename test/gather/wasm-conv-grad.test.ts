import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setFilterGradPath } from '../../src/gather/backend/wasm/conv-filter-grad.js';
import { filterTilesFor } from '../../src/gather/backend/wasm/filter-grad-direct.js';
import { inputTilesFor } from '../../src/gather/backend/wasm/conv-input-simd.js';
import { setConvInputDirect } from '../../src/gather/backend/wasm/conv-input-grad.js';
import type { HeapBackend } from '../../src/gather/backend/wasm/kernel-types.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];
const PADS: Pad[] = [
  'valid',
  'same',
  [
    [0, 0],
    [1, 0],
    [2, 1],
    [0, 0],
  ],
];
const CASES = [1, 2].flatMap((stride) =>
  PADS.flatMap((pad) =>
    [1, 2, 3].flatMap((size) =>
      [
        [1, 1, 3],
        [3, 3, 16],
        [2, 16, 8],
      ].map(([batch, inC, outC]) => ({ stride, pad, size, batch: batch!, inC: inC!, outC: outC! })),
    ),
  ),
);
const label = (p: Pad) => (typeof p === 'string' ? p : 'explicit');

describe('convolution gradients on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining(['Conv2DBackpropInput', 'Conv2DBackpropFilter']));
  });

  const grads = (stride: number, pad: Pad, size: number, batch: number, inC: number, outC: number) => () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(batch * 9 * 8 * inC, 1), [batch, 9, 8, inC]);
      const f = tf.tensor4d(values(size * size * inC * outC, 2), [size, size, inC, outC]);
      const conv = (xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, stride, pad);
      const w = tf.tensor(values(tf.util.sizeFromShape(conv(x, f).shape), 3), conv(x, f).shape); // each position's gradient differs
      return tf.grads((xx: tf.Tensor, ff: tf.Tensor) => conv(xx, ff).mul(w).sum())([x, f]);
    });

  it.each(CASES.map((c) => ({ ...c, padName: label(c.pad) })))(
    'input and filter gradients equal cpu: stride $stride, $padName, size $size, batch $batch, channels $inC -> $outC',
    async ({ stride, pad, size, batch, inC, outC }) => {
      const { wasm, cpu } = await onWasmAndCpu(grads(stride, pad, size, batch, inC, outC));
      expect(wasm[0]!.length).toBe(batch * 9 * 8 * inC);
      expect(wasm[1]!.length).toBe(size * size * inC * outC);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
    },
  );

  // The SIMD filter gradient's edges: input channels not a multiple of 4 (tiles of 1-3), output channels a multiple
  // of 4 but not 8 (one-vector tiles), batches cut into several cache-sized chunks (many small images) or one image
  // cut into bands of rows (an image of 80x80x16 floats is over the 192 KB a box holds), and 1x1 / strided / explicit padding.
  const FILTER_CASES: Array<{
    x: [number, number, number, number];
    f: [number, number, number, number];
    stride: number;
    pad: Pad;
  }> = [
    { x: [2, 9, 8, 5], f: [3, 3, 5, 12], stride: 1, pad: 'same' },
    { x: [3, 9, 8, 7], f: [3, 3, 7, 4], stride: 2, pad: 'valid' },
    { x: [40, 12, 12, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
    { x: [1, 80, 80, 16], f: [3, 3, 16, 8], stride: 2, pad: 'same' },
    { x: [1, 48, 48, 16], f: [3, 3, 16, 8], stride: 1, pad: 'valid' },
    { x: [1, 40, 40, 16], f: [1, 1, 16, 40], stride: 1, pad: 'valid' },
    { x: [2, 11, 13, 3], f: [3, 2, 3, 8], stride: 2, pad: PADS[2]! },
    { x: [1, 5, 5, 2], f: [5, 5, 2, 8], stride: 1, pad: 'same' },
    // Strided with input channels a multiple of 4: the input gradient's SIMD loop too (16 + 4 channels: two tiles).
    { x: [2, 9, 8, 20], f: [3, 3, 20, 8], stride: 2, pad: 'same' },
    { x: [2, 10, 10, 12], f: [1, 1, 12, 4], stride: 2, pad: 'valid' },
    { x: [3, 11, 13, 8], f: [3, 2, 8, 4], stride: 3, pad: PADS[2]! },
  ];
  it.each(FILTER_CASES.map((c) => ({ ...c, xs: c.x.join('x'), fs: c.f.join('x'), padName: label(c.pad) })))(
    'the SIMD filter (and strided input) gradients equal cpu: x $xs, filter $fs, stride $stride, $padName',
    async ({ x: xs, f: fs, stride, pad }) => {
      const backend = tf.backend() as unknown as HeapBackend;
      expect(filterTilesFor(backend)).not.toBeNull(); // else this tests another path
      expect(inputTilesFor(backend)).not.toBeNull();
      const grad = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(values(tf.util.sizeFromShape(xs), 8), xs);
          const f = tf.tensor4d(values(tf.util.sizeFromShape(fs), 9), fs);
          const y = tf.conv2d(x, f, stride, pad);
          const w = tf.tensor(values(tf.util.sizeFromShape(y.shape), 10), y.shape);
          return tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
            tf
              .conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, stride, pad)
              .mul(w)
              .sum(),
          )([x, f]);
        });
      const before = tf.memory().numTensors;
      const { wasm, cpu } = await onWasmAndCpu(grad);
      expect(wasm[1]!.length).toBe(tf.util.sizeFromShape(fs));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('strided input gradients through Conv2D on a zero-spread dy, kept for other shapes, still equal cpu', async () => {
    setConvInputDirect(false);
    try {
      const { wasm, cpu } = await onWasmAndCpu(grads(2, 'same', 3, 3, 16, 8));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    } finally {
      setConvInputDirect(true);
    }
  });

  it.each(['im2col', 'composed'] as const)('the older %s filter gradient still equals cpu', async (path) => {
    setFilterGradPath(path);
    try {
      const { wasm, cpu } = await onWasmAndCpu(grads(2, 'same', 3, 3, 16, 8));
      expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
    } finally {
      setFilterGradPath('auto');
    }
  });

  it('a conv layer with bias and relu (tfjs fused conv2d) trains to the same weights as on cpu, and leaks no tensors', async () => {
    const fit = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(4 * 10 * 10 * 3, 4), [4, 10, 10, 3]);
        const f = tf.variable(tf.tensor4d(values(3 * 3 * 3 * 8, 5), [3, 3, 3, 8]));
        const g = tf.variable(tf.tensor4d(values(3 * 3 * 8 * 4, 6), [3, 3, 8, 4]));
        const bias = tf.variable(tf.tensor1d(values(8, 7)));
        const opt = tf.train.sgd(0.05);
        for (let i = 0; i < 3; i++) {
          opt.minimize(() => {
            const h = tf.fused.conv2d({
              x,
              filter: f as tf.Tensor4D,
              strides: 1,
              pad: 'same',
              bias,
              activation: 'relu',
            });
            return tf
              .conv2d(h, g as tf.Tensor4D, 2, 'same')
              .square()
              .mean() as tf.Scalar;
          });
        }
        const out = [f.clone(), g.clone(), bias.clone()];
        opt.dispose();
        tf.dispose([f, g, bias]);
        return out;
      });
    const before = tf.memory().numTensors;
    const { wasm, cpu } = await onWasmAndCpu(fit);
    for (let i = 0; i < 3; i++) expect(maxRelDiff(wasm[i]!, cpu[i]!)).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
