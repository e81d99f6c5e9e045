import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setDataInputConv } from '../../src/gather/backend/wasm/data-input-conv.js';
import { onWasmAndCpu, values } from './wasm-compare.js';
import { probeModel } from '../../src/gather/train/probe.js';

/**
 * Two linear convs (the first reads the model's input), batch norm between, as pt-fashion-cnn. With `permuted`, the
 * data reaches the first conv through a weightless Permute, as in an ONNX import (its channels-last transpose).
 */
function model(permuted = false): tf.Sequential {
  const m = tf.sequential();
  if (permuted) m.add(tf.layers.permute({ inputShape: [12, 12, 1], dims: [2, 1, 3] }));
  m.add(
    tf.layers.conv2d({
      ...(permuted ? {} : { inputShape: [12, 12, 1] }),
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: 'glorotUniform',
      biasInitializer: 'ones',
    }),
  );
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.activation({ activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

/** One training step's gradients of every weight, from fixed weights and data. */
function gradients(permuted = false): tf.Tensor[] {
  return tf.tidy(() => {
    const m = model(permuted);
    m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, 50 + i), w.shape)));
    const x = tf.tensor4d(values(6 * 12 * 12, 60), [6, 12, 12, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const { grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor),
    );
    m.dispose(); // its variables outlive tidy
    return Object.values(grads);
  });
}

describe('a conv layer reading the data, trained on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => setDataInputConv(true));

  it.each([false, true])('gives the same gradients as cpu (behind a Permute: %s)', async (permuted) => {
    const { wasm, cpu } = await onWasmAndCpu(() => gradients(permuted));
    expect(wasm.length).toBe(cpu.length);
    // Relative to each gradient's largest entry, plus 1e-6: the first conv's bias gradient is float32 noise around 0
    // on both backends (batch norm right after it cancels the bias), 1e-9 to 2e-7 depending on the summation order.
    for (const [i, g] of wasm.entries()) {
      const scale = Math.max(...cpu[i]!.map(Math.abs));
      const diff = Math.max(...g.map((v, j) => Math.abs(v - cpu[i]![j]!)));
      expect(diff, `weight ${i}`).toBeLessThan(1e-3 * scale + 1e-6);
    }
  });

  it.each([false, true])(
    'computes no input gradient for the data: one Conv2DBackpropInput a step (the second conv), not two (behind a Permute: %s)',
    async (permuted) => {
      const inputGrads = async () => {
        const profile = await tf.profile(() => {
          tf.dispose(gradients(permuted));
        });
        return profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length;
      };
      setDataInputConv(false);
      expect(await inputGrads()).toBe(2);
      setDataInputConv(true);
      expect(await inputGrads()).toBe(1);
    },
  );

  it('leaks no tensor', () => {
    tf.dispose(gradients());
    const before = tf.memory().numTensors;
    tf.dispose(gradients());
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a probe (inference mode, weight gradients) skips the data's input gradient too, with the same numbers", async () => {
    const m = model();
    m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, 70 + i), w.shape)));
    const x = tf.tensor4d(values(6 * 12 * 12, 61), [6, 12, 12, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat();
    const loss = (t: tf.Tensor, p: tf.Tensor) => tf.metrics.categoricalCrossentropy(t, p);
    const probe = async () => {
      let result: Awaited<ReturnType<typeof probeModel>> | null = null;
      const profile = await tf.profile(async () => {
        result = await probeModel(m, x, y, loss, 0, false);
      });
      return { result: result!, inputGrads: profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
    };
    setDataInputConv(false);
    const fused = await probe();
    setDataInputConv(true);
    const unfused = await probe();
    expect(fused.inputGrads).toBe(2);
    expect(unfused.inputGrads).toBe(1);
    for (const [i, l] of unfused.result.gradients.layers.entries()) {
      const f = fused.result.gradients.layers[i]!;
      for (const k of ['kernelNorm', 'biasNorm', 'outputNorm'] as const) {
        const [a, b] = [l[k] ?? 0, f[k] ?? 0];
        expect(Math.abs(a - b), `${l.layer} ${k}`).toBeLessThanOrEqual(
          1e-5 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9,
        );
      }
    }
    tf.dispose([x, y]);
    m.dispose();
  });
});
