import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { convForwardSimdCalls, tapRuns } from '../../src/gather/backend/wasm/conv-forward-simd.js';
import { setConvForwardDirect, setConvWinograd } from '../../src/gather/backend/wasm/conv-forward.js';
import { winogradCalls, winogradFilterGradCalls } from '../../src/gather/backend/wasm/conv-winograd.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
  dilation?: number;
  bias: boolean;
  relu: boolean;
}

// Output channels 4, 8, 12, 16, 20, 32, 36 (tiles of 1, 2 and 4 vectors, and several tiles a pixel); widths that
// leave 1-3 pixels after the groups; input channels 1-16; 'same', 'valid', explicit and lopsided padding; strides
// and dilations; an image whose rows are cut into bands (80x80x16: over the 128 KB of x a band holds).
const CASES: Case[] = [
  { x: [2, 9, 8, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same', bias: true, relu: true },
  { x: [3, 7, 11, 5], f: [3, 3, 5, 12], stride: 2, pad: 'same', bias: true, relu: false },
  { x: [1, 10, 9, 1], f: [3, 3, 1, 16], stride: 1, pad: 'same', bias: false, relu: true },
  { x: [2, 11, 10, 3], f: [5, 3, 3, 8], stride: 1, pad: 'valid', bias: true, relu: true },
  { x: [2, 12, 13, 4], f: [3, 3, 4, 20], stride: 1, pad: 'same', dilation: 2, bias: false, relu: false },
  { x: [1, 9, 9, 8], f: [1, 1, 8, 36], stride: 2, pad: 'same', bias: true, relu: true },
  { x: [2, 8, 7, 16], f: [2, 2, 16, 32], stride: [1, 2], pad: 'valid', bias: false, relu: false },
  {
    x: [2, 6, 7, 4],
    f: [3, 2, 4, 4],
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
    bias: true,
    relu: false,
  },
  // A 1x1 conv with padding 3: the border outputs see only padding and are the bias.
  {
    x: [1, 4, 4, 4],
    f: [1, 1, 4, 8],
    stride: 1,
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
    bias: true,
    relu: true,
  },
  { x: [1, 80, 80, 16], f: [3, 3, 16, 8], stride: 1, pad: 'same', bias: true, relu: true },
];

const label = (p: Pad) => (typeof p === 'string' ? p : 'explicit');

function conv(c: Case, withNaN = false): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const xValues = values(tf.util.sizeFromShape(c.x), 1);
      if (withNaN) [xValues[0], xValues[7], xValues[40]] = [Number.NaN, Number.POSITIVE_INFINITY, -0];
      const x = tf.tensor4d(xValues, c.x);
      const filter = tf.tensor4d(values(tf.util.sizeFromShape(c.f), 2), c.f);
      const bias = c.bias ? tf.tensor1d(values(c.f[3], 3)) : undefined;
      return [
        tf.fused.conv2d({
          x,
          filter,
          strides: c.stride,
          pad: c.pad,
          dilations: c.dilation ?? 1,
          bias,
          activation: c.relu ? 'relu' : 'linear',
        }),
      ];
    });
}

describe('forward convolution on wasm (SIMD loop)', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining(['Conv2D (forward)', 'FusedConv2D (forward)']));
  });

  it.each(CASES.map((c) => ({ ...c, padName: label(c.pad), xs: c.x.join('x'), fs: c.f.join('x') })))(
    'the direct loop equals cpu: x $xs, filter $fs, stride $stride, $padName, dilation $dilation, bias $bias, relu $relu',
    async (c) => {
      const before = convForwardSimdCalls();
      setConvWinograd(false);
      const { wasm, cpu } = await onWasmAndCpu(conv(c)).finally(() => setConvWinograd(true));
      expect(convForwardSimdCalls()).toBe(before + 1);
      expect(wasm[0]!.length).toBe(cpu[0]!.length);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  it('propagates NaN and Infinity as cpu does, and keeps zeros', async () => {
    const { wasm, cpu } = await onWasmAndCpu(conv(CASES[0]!, true));
    const nan = (a: Float32Array) => a.map((v) => (Number.isNaN(v) ? 1 : 0)).reduce((s, v) => s + v, 0);
    expect(nan(cpu[0]!)).toBeGreaterThan(0);
    expect(nan(wasm[0]!)).toBe(nan(cpu[0]!));
    const finite = (a: Float32Array) => Float32Array.from(a, (v) => (Number.isFinite(v) ? v : 0));
    expect(maxRelDiff(finite(wasm[0]!), finite(cpu[0]!))).toBeLessThan(1e-5);
  });

  it('leaves shapes it does not cover to tfjs, with the same values', async () => {
    // 3 output channels (not whole vectors) and a leaky ReLU.
    const odd: Case = { x: [2, 6, 6, 4], f: [3, 3, 4, 3], stride: 1, pad: 'same', bias: true, relu: true };
    const before = convForwardSimdCalls();
    const { wasm, cpu } = await onWasmAndCpu(conv(odd));
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    const leaky = () =>
      tf.tidy(() => [
        tf.fused.conv2d({
          x: tf.tensor4d(values(2 * 6 * 6 * 4, 1), [2, 6, 6, 4]),
          filter: tf.tensor4d(values(3 * 3 * 4 * 8, 2), [3, 3, 4, 8]),
          pad: 'same',
          strides: 1,
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        }),
      ]);
    const l = await onWasmAndCpu(leaky);
    expect(maxRelDiff(l.wasm[0]!, l.cpu[0]!)).toBeLessThan(1e-5);
    expect(convForwardSimdCalls()).toBe(before);
  });

  it('switched off, runs tfjs Conv2D with the same values', async () => {
    const before = convForwardSimdCalls();
    setConvForwardDirect(false);
    try {
      const { wasm, cpu } = await onWasmAndCpu(conv(CASES[1]!));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    } finally {
      setConvForwardDirect(true);
    }
    expect(convForwardSimdCalls()).toBe(before);
  });

  it('frees its scratch: only the output stays (direct loop and Winograd)', () => {
    const [direct, wino] = [convForwardSimdCalls(), winogradCalls()];
    for (const h of [9, 8]) {
      const x = tf.tensor4d(values(2 * h * 8 * 16, 1), [2, h, 8, 16]);
      const f = tf.tensor4d(values(9 * 16 * 16, 2), [3, 3, 16, 16]);
      const y0 = tf.conv2d(x, f, 1, 'same');
      y0.dispose();
      const [tensors, ids] = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
      const y = tf.conv2d(x, f, 1, 'same');
      expect(tf.memory().numTensors).toBe(tensors + 1);
      expect(tf.engine().backend.numDataIds()).toBe(ids + 1);
      tf.dispose([x, f, y]);
    }
    expect([convForwardSimdCalls() - direct, winogradCalls() - wino]).toEqual([2, 2]);
  });

  it('groups output positions by the filter taps inside the input', () => {
    // 3x3 'same' over 5: the first position lacks tap 0, the last tap 2.
    expect(tapRuns(5, 5, 3, 1, 1, 1)).toEqual([
      [0, 1, 1, 3],
      [1, 4, 0, 3],
      [4, 5, 0, 2],
    ]);
    // 1x1 with padding 2 on 2 inputs: two positions each side see nothing.
    expect(tapRuns(6, 2, 1, 1, 1, 2)).toEqual([
      [0, 2, 0, 0],
      [2, 4, 0, 1],
      [4, 6, 0, 0],
    ]);
  });
});

// Winograd F(2x2, 3x3): 3x3 stride-1 convs with an even output. Channels 4-32 (tiles of 1, 2 and 4 vectors; 12
// output channels: three one-vector tiles); 'same', 'valid' and padding 2 before / 0 after; batches cut into
// several blocks of images (28x28x16: one image a block; 14x14x32: two, the last block short).
const WINOGRAD: Case[] = [
  { x: [2, 8, 8, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same', bias: true, relu: true },
  { x: [3, 10, 6, 4], f: [3, 3, 4, 8], stride: 1, pad: 'same', bias: false, relu: false },
  { x: [2, 10, 12, 8], f: [3, 3, 8, 12], stride: 1, pad: 'valid', bias: true, relu: false },
  {
    x: [2, 7, 9, 4],
    f: [3, 3, 4, 4],
    stride: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 0],
    ],
    bias: true,
    relu: true,
  },
  { x: [3, 28, 28, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same', bias: false, relu: true },
  { x: [5, 14, 14, 32], f: [3, 3, 32, 32], stride: 1, pad: 'same', bias: true, relu: false },
  { x: [1, 6, 6, 8], f: [3, 3, 8, 16], stride: 1, pad: 'same', bias: true, relu: true },
];

describe('Winograd F(2x2, 3x3) convolution on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(WINOGRAD.map((c) => ({ ...c, padName: label(c.pad), xs: c.x.join('x'), fs: c.f.join('x') })))(
    'equals cpu: x $xs, filter $fs, $padName, bias $bias, relu $relu',
    async (c) => {
      const before = winogradCalls();
      const { wasm, cpu } = await onWasmAndCpu(conv(c));
      expect(winogradCalls()).toBe(before + 1);
      expect(wasm[0]!.length).toBe(cpu[0]!.length);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  it.each(WINOGRAD.map((c) => ({ ...c, padName: label(c.pad), xs: c.x.join('x'), fs: c.f.join('x') })))(
    'its filter gradient equals cpu: x $xs, filter $fs, $padName',
    async (c) => {
      const grad = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 1), c.x);
          const f = tf.tensor4d(values(tf.util.sizeFromShape(c.f), 2), c.f);
          const y = tf.conv2d(x, f, 1, c.pad);
          const w = tf.tensor(values(y.size, 3), y.shape); // each position's gradient differs
          return [
            tf.grad((ff: tf.Tensor) =>
              tf
                .conv2d(x, ff as tf.Tensor4D, 1, c.pad)
                .mul(w)
                .sum(),
            )(f),
          ];
        });
      const before = winogradFilterGradCalls();
      const { wasm, cpu } = await onWasmAndCpu(grad);
      expect(winogradFilterGradCalls()).toBe(before + 1);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  it('its filter gradient frees its scratch: only dW stays', () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 16, 1), [2, 8, 8, 16]);
    const dy = tf.tensor4d(values(2 * 8 * 8 * 8, 2), [2, 8, 8, 8]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 8] };
    const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    run().dispose();
    const [before, ids] = [winogradFilterGradCalls(), tf.engine().backend.numDataIds()];
    const dw = run();
    expect(winogradFilterGradCalls()).toBe(before + 1);
    expect(tf.engine().backend.numDataIds()).toBe(ids + 1);
    tf.dispose([x, dy, dw]);
  });

  it('leaves odd outputs, strides and dilations to the direct loop', async () => {
    const before = winogradCalls();
    for (const c of [CASES[0]!, CASES[1]!, CASES[4]!]) {
      const { wasm, cpu } = await onWasmAndCpu(conv(c));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    }
    expect(winogradCalls()).toBe(before);
  });

  it('trains as cpu does: the input and filter gradients through it (the input gradient is a Winograd conv too)', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 8 * 8 * 16, 1), [2, 8, 8, 16]);
        const f = tf.tensor4d(values(9 * 16 * 8, 2), [3, 3, 16, 8]);
        const w = tf.tensor4d(values(2 * 8 * 8 * 8, 3), [2, 8, 8, 8]);
        const loss = (xx: tf.Tensor, ff: tf.Tensor) =>
          tf
            .conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same')
            .relu()
            .mul(w)
            .sum();
        return tf.grads(loss)([x, f]);
      });
    const [before, filterBefore] = [winogradCalls(), winogradFilterGradCalls()];
    const { wasm, cpu } = await onWasmAndCpu(grads);
    expect(winogradCalls()).toBe(before + 2);
    expect(winogradFilterGradCalls()).toBe(filterBefore + 1);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
  });
});
