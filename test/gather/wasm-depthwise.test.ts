import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { setDepthwiseDirect } from '../../src/gather/backend/wasm/depthwise.js';
import { depthwiseTilesFor } from '../../src/gather/backend/wasm/depthwise-direct.js';
import type { HeapBackend } from '../../src/gather/backend/wasm/kernel-types.js';
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

  // The SIMD loops (multiplier 1, channels a multiple of 4): remainders of 1-3 vectors after tiles of 16 channels,
  // strides, paddings, dilation (which the composition copied to cpu), one image and several, and an image cut
  // into bands of rows (64x64x16 of x and dy is over the 192 KB a box holds).
  type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];
  const DIRECT: Array<{ x: [number, number, number, number]; k: number; stride: number; pad: Pad; dilation: number }> =
    [
      { x: [2, 9, 8, 4], k: 3, stride: 1, pad: 'same', dilation: 1 },
      { x: [3, 9, 8, 8], k: 3, stride: 2, pad: 'same', dilation: 1 },
      { x: [1, 9, 8, 20], k: 3, stride: 2, pad: 'valid', dilation: 1 },
      { x: [2, 11, 10, 44], k: 5, stride: 1, pad: 'same', dilation: 1 },
      { x: [2, 9, 8, 12], k: 3, stride: 1, pad: 'same', dilation: 2 },
      { x: [1, 12, 12, 8], k: 3, stride: 1, pad: 'valid', dilation: 3 },
      {
        x: [2, 9, 8, 8],
        k: 3,
        stride: 2,
        pad: [
          [0, 0],
          [1, 0],
          [2, 1],
          [0, 0],
        ],
        dilation: 1,
      },
      { x: [20, 6, 6, 16], k: 3, stride: 1, pad: 'same', dilation: 1 },
      { x: [1, 64, 64, 16], k: 3, stride: 2, pad: 'same', dilation: 1 },
      { x: [1, 64, 64, 16], k: 3, stride: 1, pad: 'same', dilation: 1 },
    ];
  const directGrads = (c: (typeof DIRECT)[number]) => () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 11), c.x);
      const f = tf.tensor4d(values(c.k * c.k * c.x[3], 12), [c.k, c.k, c.x[3], 1]);
      const conv = (xx: tf.Tensor, ff: tf.Tensor) =>
        tf.depthwiseConv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation);
      const y = conv(x, f);
      const w = tf.tensor(values(tf.util.sizeFromShape(y.shape), 13), y.shape);
      if (c.dilation === 1) return tf.grads((xx: tf.Tensor, ff: tf.Tensor) => conv(xx, ff).mul(w).sum())([x, f]);
      // tfjs' gradient functions refuse dilation > 1; the kernels themselves take it (a model's own gradient code).
      const attrs = { strides: c.stride, pad: c.pad, dilations: c.dilation };
      const run = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
        tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [
        run('DepthwiseConv2dNativeBackpropInput', { dy: w, filter: f }, { inputShape: c.x }),
        run('DepthwiseConv2dNativeBackpropFilter', { x, dy: w }, { filterShape: f.shape }),
      ];
    });

  /** Both gradients by their definition, in float64: tfjs' cpu kernels ignore dilation, so they cannot be the reference. */
  function reference(c: (typeof DIRECT)[number]): Float64Array[] {
    const [B, H, W, C] = c.x;
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, C, 1], c.stride, c.dilation, c.pad, undefined, true);
    const [x, f] = [values(B * H * W * C, 11), values(c.k * c.k * C, 12)];
    const dy = values(B * info.outHeight * info.outWidth * C, 13);
    const [dx, dw] = [new Float64Array(x.length), new Float64Array(f.length)];
    for (let b = 0; b < B; b++)
      for (let oh = 0; oh < info.outHeight; oh++)
        for (let ow = 0; ow < info.outWidth; ow++)
          for (let kh = 0; kh < c.k; kh++)
            for (let kw = 0; kw < c.k; kw++) {
              const ih = oh * c.stride + kh * c.dilation - info.padInfo.top;
              const iw = ow * c.stride + kw * c.dilation - info.padInfo.left;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              for (let ch = 0; ch < C; ch++) {
                const g = dy[((b * info.outHeight + oh) * info.outWidth + ow) * C + ch]!;
                const [xi, fi] = [((b * H + ih) * W + iw) * C + ch, (kh * c.k + kw) * C + ch];
                dx[xi] = dx[xi]! + f[fi]! * g;
                dw[fi] = dw[fi]! + x[xi]! * g;
              }
            }
    return [dx, dw];
  }

  it.each(DIRECT.map((c) => ({ ...c, xs: c.x.join('x'), padName: typeof c.pad === 'string' ? c.pad : 'explicit' })))(
    'the SIMD gradients equal cpu (dilation: the definition) and never copy to it: x $xs, kernel $k, stride $stride, $padName, dilation $dilation',
    async (c) => {
      expect(depthwiseTilesFor(tf.backend() as unknown as HeapBackend)).not.toBeNull(); // else this tests another path
      const before = tf.memory().numTensors;
      expect(countCpuWrites(() => tf.dispose(directGrads(c)())).writes).toBe(0);
      const { wasm, cpu } = await onWasmAndCpu(directGrads(c));
      const expected = c.dilation === 1 ? cpu : reference(c).map((r) => Float32Array.from(r));
      expect(wasm[0]!.length).toBe(tf.util.sizeFromShape(c.x));
      expect(wasm[1]!.length).toBe(c.k * c.k * c.x[3]);
      expect(maxRelDiff(wasm[0]!, expected[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm[1]!, expected[1]!)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('the composition, kept for other shapes, still equals cpu on the same layers', async () => {
    setDepthwiseDirect(false);
    try {
      const { wasm, cpu } = await onWasmAndCpu(directGrads(DIRECT[1]!));
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
    } finally {
      setDepthwiseDirect(true);
    }
  });
});
