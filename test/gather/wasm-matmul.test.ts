import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import type { WasmBackend } from '../../src/gather/backend/wasm/kernel-types.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

// [a shape, b shape] before the transpose flags are applied: (batch..., m, k) x (batch..., k, n).
const SHAPES: Array<{ name: string; a: number[]; b: number[] }> = [
  { name: 'rank 2', a: [5, 7], b: [7, 3] },
  { name: 'batch 4', a: [4, 5, 7], b: [4, 7, 3] },
  { name: 'batch 2x3', a: [2, 3, 5, 7], b: [2, 3, 7, 3] },
  { name: 'broadcast a', a: [1, 5, 7], b: [4, 7, 3] },
  { name: 'broadcast b', a: [4, 5, 7], b: [7, 3] },
  { name: 'size-1 axis', a: [6, 1], b: [1, 4] },
];
const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;
const swapLast = (s: number[]) => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
const tensor = (shape: number[], seed: number) =>
  tf.tensor(
    values(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    shape,
  );

describe('wasm matmul kernels without transpose flags', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining(['BatchMatMul', '_FusedMatMul']));
  });

  const cases = SHAPES.flatMap((s) => FLAGS.map(([ta, tb]) => ({ ...s, ta, tb })));
  it.each(cases)(
    'matMul $name transposeA=$ta transposeB=$tb equals cpu, with overrides on and off',
    async ({ a, b, ta, tb }) => {
      const fn = () => [tf.matMul(tensor(ta ? swapLast(a) : a, 1), tensor(tb ? swapLast(b) : b, 2), ta, tb)];
      const on = await onWasmAndCpu(fn);
      setWasmKernelOverrides(false);
      const off = await onWasmAndCpu(fn).finally(() => setWasmKernelOverrides(true));
      expect(maxRelDiff(on.wasm[0]!, on.cpu[0]!)).toBeLessThan(1e-5);
      expect(maxRelDiff(off.wasm[0]!, on.cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'prelu', 'sigmoid'] as const;
  const fused = activations
    .flatMap((activation) => FLAGS.map(([ta, tb]) => ({ activation, ta, tb, bias: true })))
    .concat(FLAGS.map(([ta, tb]) => ({ activation: 'relu' as const, ta, tb, bias: false })));
  it.each(fused)(
    'fused matMul $activation bias=$bias transposeA=$ta transposeB=$tb equals cpu',
    async ({ activation, ta, tb, bias }) => {
      const { wasm, cpu } = await onWasmAndCpu(() => [
        tf.fused.matMul({
          a: tensor(ta ? [3, 7, 5] : [3, 5, 7], 3),
          b: tensor(tb ? [3, 4, 7] : [3, 7, 4], 4),
          transposeA: ta,
          transposeB: tb,
          ...(bias ? { bias: tensor([4], 5) } : {}),
          activation,
          leakyreluAlpha: 0.3,
          ...(activation === 'prelu' ? { preluActivationWeights: tensor([4], 6) } : {}),
        }),
      ]);
      expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    },
  );

  it('a dense layer trained on wasm takes the same steps as on cpu (its gradients use both flags)', async () => {
    const fit = () =>
      tf.tidy(() => {
        const x = tensor([16, 9], 7);
        const w = tf.variable(tensor([9, 6], 8));
        const w2 = tf.variable(tensor([6, 2], 9));
        const opt = tf.train.sgd(0.1);
        for (let i = 0; i < 3; i++) opt.minimize(() => tf.relu(x.matMul(w)).matMul(w2).square().mean() as tf.Scalar);
        const out = [w.clone(), w2.clone()];
        opt.dispose();
        w.dispose();
        w2.dispose();
        return out;
      });
    const { wasm, cpu } = await onWasmAndCpu(fit);
    wasm.forEach((v, i) => expect(maxRelDiff(v, cpu[i]!)).toBeLessThan(1e-4));
  });

  it('repeated transposed matmuls leak neither tensors nor wasm memory', async () => {
    const backend = tf.backend() as unknown as WasmBackend;
    const a = tensor([64, 300], 10);
    const b = tensor([64, 128], 11);
    const w = tensor([300, 128], 12);
    const step = () =>
      tf.tidy(() =>
        [
          tf.matMul(a, b, true, false),
          tf.matMul(b, w, false, true),
          tf.fused.matMul({ a: b, b: w, transposeB: true, bias: tensor([300], 13), activation: 'relu' }),
        ]
          .map((t) => t.sum())
          .reduce((p, q) => p.add(q)),
      );
    for (let i = 0; i < 5; i++) step().dispose(); // warm-up: the allocator reaches its working size
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    const heap = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 200; i++) step().dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(dataIds);
    // A leaked 64x300 transpose per call would be 15 MB over 200 calls; the heap only grows when that happens.
    expect(backend.wasm.HEAPU8.length).toBe(heap);
    tf.dispose([a, b, w]);
  });
});
