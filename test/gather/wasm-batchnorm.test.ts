import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setFusedBatchNorm, setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { BN_TRAIN } from '../../src/gather/backend/wasm/batchnorm.js';
import { BN_INFER } from '../../src/gather/backend/wasm/batchnorm-infer.js';
import { setBatchNormSimd } from '../../src/gather/backend/wasm/batchnorm-loops.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

interface BnOptions {
  center?: boolean;
  scale?: boolean;
  momentum?: number;
  epsilon?: number;
}

/**
 * One training-mode call of a BatchNormalization layer with random gamma, beta and moving statistics; returns the
 * output, the gradients of sum(y * w) by x, gamma and beta, and the moving mean and variance after the call.
 */
function layerStep(shape: number[], opts: BnOptions = {}, training = true): tf.Tensor[] {
  const C = shape[shape.length - 1]!;
  const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, ...opts });
  layer.build(shape);
  const init = layer.weights.map((w, i) => {
    const v = values(C, 20 + i).map((u) => (w.name.includes('variance') ? 0.5 + Math.abs(u) : u));
    return tf.tensor1d(v);
  });
  layer.setWeights(init);
  // Off-centre, scaled inputs: the variance must not cancel against a mean far from zero.
  const x = tf.variable(
    tf.tensor(
      values(tf.util.sizeFromShape(shape), 7).map((v) => 3 + 2 * v),
      shape,
    ),
  );
  const w = tf.tensor(values(tf.util.sizeFromShape(shape), 8), shape);
  let y: tf.Tensor | null = null;
  const { grads, value } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training }) as tf.Tensor);
    return y.mul(w).sum() as tf.Scalar;
  }, [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)]);
  const out = [y!, ...Object.values(grads), ...layer.nonTrainableWeights.map((v) => v.read().clone())];
  tf.dispose([value, x, w, ...init, ...layer.weights.map((v) => v.read())]);
  return out;
}

/**
 * maxRelDiff with an absolute floor: with one row a channel (batch 1, dense) dx and dgamma are zero in exact
 * arithmetic; the fused kernel gives 0, cpu's chain of float32 kernels leaves a residue of a few 1e-6.
 */
const diff = (a: Float32Array, b: Float32Array) => Math.min(maxRelDiff(a, b), maxAbsDiff(a, b) / 0.05);
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** One layer step with the SIMD loops and one with the JavaScript loops (left on SIMD afterwards): same numbers. */
async function expectSimdEqualsJs(shape: number[], training: boolean): Promise<void> {
  const read = async () => {
    const outs = layerStep(shape, {}, training);
    const data = await Promise.all(outs.map(async (t) => new Float32Array(await t.data())));
    tf.dispose(outs);
    return data;
  };
  const simd = await read();
  setBatchNormSimd(false);
  const js = await read();
  setBatchNormSimd(true);
  simd.forEach((v, i) => expect(diff(v, js[i]!), `output ${i}`).toBeLessThan(1e-5));
}

const SHAPES = [
  [1, 5, 4, 3],
  [64, 6, 5, 16],
  [1, 7],
  [64, 12],
];

describe('fused batch norm in training on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining([BN_TRAIN]));
  });
  afterEach(() => {
    setBatchNormSimd(true);
    setFusedBatchNorm(true);
    setWasmKernelOverrides(true);
  });

  it.each(SHAPES)('output, gradients and moving statistics equal cpu: shape %j', async (...shape) => {
    const { wasm, cpu } = await onWasmAndCpu(() => layerStep(shape));
    // y, dx, dgamma, dbeta, moving mean, moving variance
    expect(wasm).toHaveLength(6);
    wasm.forEach((v, i) => expect(diff(v, cpu[i]!), `output ${i}`).toBeLessThan(1e-4));
  });

  // Channels in fours run the SIMD loops, the others (3, 7) the JavaScript ones; both must agree on the same input.
  it.each([
    [64, 6, 5, 16],
    [2, 12],
  ])('the SIMD loops equal the JavaScript loops: shape %j', async (...shape) => {
    await expectSimdEqualsJs(shape, true);
  });

  it('the kernel passes gradients through its batch and moving statistics too, as the composed ops on cpu', async () => {
    const shape = [3, 4, 5];
    const C = 5;
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(
          values(60, 1).map((v) => 1 + v),
          shape,
        );
        const params = [2, 3, 4, 5].map((seed) =>
          tf.tensor1d(values(C, seed).map((v) => (seed === 5 ? 1 + v * v : v))),
        );
        const weights = [6, 7, 8, 9, 10].map((seed, i) =>
          tf.tensor(values(i === 0 ? 60 : C, seed), i === 0 ? shape : [C]),
        );
        const attrs = { epsilon: 0.01, momentum: 0.7 };
        const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor) => {
          let outs: tf.Tensor[];
          if (tf.getBackend() === 'wasm') {
            outs = tf
              .engine()
              .runKernel(BN_TRAIN, { x, gamma, beta, movingMean: mm, movingVariance: mv }, attrs) as tf.Tensor[];
          } else {
            const { mean, variance } = tf.moments(x, [0, 1]);
            const decay = 1 - attrs.momentum;
            const y = tf.batchNorm(x, mean, variance, beta, gamma, attrs.epsilon);
            outs = [y, mean, variance, mm.sub(mm.sub(mean).mul(decay)), mv.sub(mv.sub(variance).mul(decay))];
          }
          return tf.addN(outs.map((o, i) => o.mul(weights[i]!).sum())) as tf.Scalar;
        };
        const grads = tf.grads(f)([x, ...params]);
        return [...grads, f(x, ...(params as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]))];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    wasm.forEach((v, i) => expect(maxRelDiff(v, cpu[i]!), `output ${i}`).toBeLessThan(1e-4));
  });

  it('uses the fused kernels there, and tfjs-layers own batch norm when switched off', async () => {
    const kernels = async () => (await tf.profile(() => layerStep([4, 3, 3, 2]))).kernelNames;
    const fused = await kernels();
    setFusedBatchNorm(false);
    const plain = await kernels();
    setFusedBatchNorm(true);
    setWasmKernelOverrides(false);
    const before = await kernels();
    expect(fused).toEqual(expect.arrayContaining([BN_TRAIN, `${BN_TRAIN}Grad`]));
    expect(fused).not.toContain('Mean');
    for (const k of [plain, before]) {
      expect(k).not.toContain(BN_TRAIN);
      expect(k).toEqual(expect.arrayContaining(['Mean', 'FusedBatchNorm']));
    }
  });

  it.each([{ center: false }, { scale: false }])(
    'without gamma or beta (%j) training fails as tfjs-layers does on cpu',
    async (opts) => {
      const failure = () => {
        try {
          layerStep([2, 3], opts);
          return 'trained';
        } catch (e) {
          return (e as Error).message;
        }
      };
      const onWasm = failure();
      await tf.setBackend('cpu');
      const onCpu = failure();
      await tf.setBackend('wasm');
      expect(onWasm).toBe(onCpu);
    },
  );

  it('inference is unchanged: the moving statistics, not the batch ones', async () => {
    const run = () =>
      tf.tidy(() => {
        const layer = tf.layers.batchNormalization({ inputShape: [3] });
        const x = tf.tensor2d(values(12, 3), [4, 3]);
        const out = layer.apply(x, { training: false }) as tf.Tensor;
        return [out];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-6);
  });

  it('a batch-norm conv net fits with the same losses as on cpu, and leaks no tensors', async () => {
    const train = async () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 6, kernelSize: 3, padding: 'same' }),
          tf.layers.batchNormalization(),
          tf.layers.reLU(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8 }),
          tf.layers.batchNormalization({ momentum: 0.8 }),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      const init = model.getWeights().map((w, i) =>
        tf.tensor(
          values(w.size, 40 + i).map((v) => v * 0.5),
          w.shape,
        ),
      );
      model.setWeights(init);
      const optimizer = tf.train.sgd(0.1);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(values(32 * 8 * 8 * 2, 5), [32, 8, 8, 2]);
      const labels = tf.tensor1d(
        values(32, 6).map((v) => (v > 0.3 ? 2 : v > -0.3 ? 1 : 0)),
        'int32',
      );
      const y = tf.oneHot(labels, 3);
      const counts: number[] = [];
      const h = await model.fit(x, y, {
        epochs: 4,
        batchSize: 16,
        shuffle: false,
        verbose: 0,
        callbacks: { onBatchEnd: async () => void counts.push(tf.memory().numTensors) },
      });
      const stats = model.layers[1]!.getWeights().map((w) => new Float32Array(w.dataSync()));
      tf.dispose([x, y, labels, ...init]);
      model.dispose();
      optimizer.dispose();
      return { loss: Float32Array.from(h.history['loss'] as number[]), stats, counts };
    };
    const before = tf.memory().numTensors;
    const wasm = await train();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    const cpu = await train().finally(() => tf.setBackend('wasm'));
    // tfjs keeps one tensor an epoch until the fit ends (on cpu too); within an epoch the count must not grow.
    expect(wasm.counts).toEqual(cpu.counts);
    for (let i = 0; i < wasm.counts.length; i += 2) expect(wasm.counts[i + 1]).toBe(wasm.counts[i]);
    expect(maxRelDiff(wasm.loss, cpu.loss)).toBeLessThan(1e-4);
    wasm.stats.forEach((s, i) => expect(maxRelDiff(s, cpu.stats[i]!)).toBeLessThan(1e-4));
  });
});

// A probe differentiates the model in inference mode: the moving statistics, with gradients by x, gamma and beta.
describe('fused batch norm in inference on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toEqual(expect.arrayContaining([BN_INFER]));
  });
  afterEach(() => {
    setBatchNormSimd(true);
    setFusedBatchNorm(true);
  });

  it.each(SHAPES)('output and gradients equal cpu: shape %j', async (...shape) => {
    const { wasm, cpu } = await onWasmAndCpu(() => layerStep(shape, {}, false));
    // y, dx, dgamma, dbeta, moving mean and variance (unchanged in inference)
    expect(wasm).toHaveLength(6);
    wasm.forEach((v, i) => expect(diff(v, cpu[i]!), `output ${i}`).toBeLessThan(1e-4));
  });

  it('a differentiated inference call leaks no tensors', () => {
    const layer = tf.layers.batchNormalization({});
    layer.build([8, 6, 4]);
    const x = tf.variable(tf.tensor(values(192, 3), [8, 6, 4]));
    const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
    const before = tf.memory().numTensors;
    const { grads, value } = tf.variableGrads(
      () => (layer.apply(x, { training: false }) as tf.Tensor).square().sum() as tf.Scalar,
      vars,
    );
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...layer.weights.map((v) => v.read())]);
  });

  it('the SIMD loops equal the JavaScript loops', async () => {
    await expectSimdEqualsJs([64, 6, 5, 16], false);
  });

  it('runs the inference kernels (no FusedBatchNorm, no Tile), and tfjs-layers own call when switched off', async () => {
    const kernels = async () => (await tf.profile(() => layerStep([4, 3, 3, 2], {}, false))).kernelNames;
    const fused = await kernels();
    setFusedBatchNorm(false);
    const plain = await kernels();
    expect(fused).toEqual(expect.arrayContaining([BN_INFER, `${BN_INFER}Grad`]));
    expect(fused).not.toContain('FusedBatchNorm');
    expect(fused).not.toContain('Tile');
    expect(plain).not.toContain(BN_INFER);
    expect(plain).toContain('FusedBatchNorm');
  });

  it('the gradients by the moving statistics equal the composed ops on cpu', async () => {
    const shape = [3, 4, 5];
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(
          values(60, 1).map((v) => 1 + v),
          shape,
        );
        const params = [2, 3, 4, 5].map((seed) =>
          tf.tensor1d(values(5, seed).map((v) => (seed === 5 ? 1 + v * v : v))),
        );
        const w = tf.tensor(values(60, 6), shape);
        const attrs = { epsilon: 0.01 };
        const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor) => {
          const y =
            tf.getBackend() === 'wasm'
              ? (tf
                  .engine()
                  .runKernel(BN_INFER, { x, gamma, beta, movingMean: mm, movingVariance: mv }, attrs) as tf.Tensor)
              : tf.batchNorm(x, mm, mv, beta, gamma, attrs.epsilon);
          return y.mul(w).sum() as tf.Scalar;
        };
        return tf.grads(f)([x, ...params]);
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(wasm).toHaveLength(5);
    wasm.forEach((v, i) => expect(maxRelDiff(v, cpu[i]!), `gradient ${i}`).toBeLessThan(1e-4));
  });
});
