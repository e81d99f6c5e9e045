import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../../src/gather/backend/wasm-kernel-bridge.js';
import { adamSimdCompiled, fusedAdam, setAdamSimd } from '../../src/gather/backend/wasm/adam.js';
import { maxRelDiff, values } from './wasm-compare.js';

/**
 * Five Adam steps on a two-layer model; returns the weights and the optimizer's saved state (moments, iterations).
 * w1 has 6x9 = 54 elements: the SIMD update does 52 and the JavaScript tail the last 2.
 */
async function train(): Promise<tf.Tensor[]> {
  const x = tf.tensor2d(values(32 * 6, 1), [32, 6]);
  const y = tf.tensor2d(values(32 * 2, 2), [32, 2]);
  const w1 = tf.variable(tf.tensor2d(values(6 * 9, 3), [6, 9]), true, 'w1');
  const w2 = tf.variable(tf.tensor2d(values(9 * 2, 4), [9, 2]), true, 'w2');
  const opt = fusedAdam(0.01);
  for (let i = 0; i < 5; i++) opt.minimize(() => tf.relu(x.matMul(w1)).matMul(w2).sub(y).square().mean() as tf.Scalar);
  const state = await opt.getWeights();
  const out = [w1.clone(), w2.clone(), ...state.map((s) => s.tensor.clone())];
  expect(state.map((s) => s.name)).toEqual(['iter', 'w1/m', 'w2/m', 'w1/v', 'w2/v']);
  opt.dispose();
  tf.dispose([x, y, w1, w2]);
  return out;
}

/** onWasmAndCpu wants a synchronous function: run the async training first, on whichever backend is selected. */
async function compare(): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const read = async () => {
    const ts = await train();
    const data = await Promise.all(ts.map(async (t) => new Float32Array(await t.data())));
    tf.dispose(ts);
    return data;
  };
  const wasm = await read();
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: await read() };
  } finally {
    await tf.setBackend('wasm');
  }
}

describe('fused Adam update on wasm', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.bridgedKernels).toContain('NnauditAdamUpdate');
  });

  it('takes the same steps as tfjs Adam on cpu, with the same saved state', async () => {
    const { wasm, cpu } = await compare();
    expect(wasm).toHaveLength(7);
    wasm.forEach((v, i) => expect(maxRelDiff(v, cpu[i]!)).toBeLessThan(1e-5));
  });

  it('takes the same steps with the SIMD update as with the JavaScript loop', async () => {
    const read = async () => {
      const ts = await train();
      const data = await Promise.all(ts.map(async (t) => new Float32Array(await t.data())));
      tf.dispose(ts);
      return data;
    };
    const simd = await read();
    expect(adamSimdCompiled()).toBe(true); // else both runs took the loop and this compared nothing
    setAdamSimd(false);
    const loop = await read().finally(() => setAdamSimd(true));
    simd.forEach((v, i) => expect(maxRelDiff(v, loop[i]!)).toBeLessThan(1e-6));
  });

  it('never overwrites moment buffers another tensor shares', async () => {
    // The moments are updated in place only while the optimizer alone holds them. A reshape shares the buffer
    // (on wasm a clone is a copy, so it would not test this).
    const w = tf.variable(tf.tensor2d(values(6, 5), [2, 3]));
    const opt = fusedAdam(0.1);
    const loss = () => w.square().sum() as tf.Scalar;
    opt.minimize(loss);
    const moments = (await opt.getWeights()).slice(1).map((s) => s.tensor);
    const held = moments.map((t) => t.reshape([-1]));
    const snapshot = await Promise.all(held.map(async (t) => Array.from(await t.data())));
    opt.minimize(loss);
    expect(await Promise.all(held.map(async (t) => Array.from(await t.data())))).toEqual(snapshot);
    const after = await Promise.all(
      (await opt.getWeights()).slice(1).map(async (s) => Array.from(await s.tensor.data())),
    );
    expect(after).not.toEqual(snapshot);
    tf.dispose([w, ...held]);
    opt.dispose();
  });

  it('leaves a tf.train.adam the user created in the same process as tfjs made it', async () => {
    // nnaudit/callback runs inside the user's process: only optimizers nnaudit creates may take the fused path.
    const kernels = async (opt: tf.Optimizer) => {
      const w = tf.variable(tf.ones([4, 3]));
      const loss = () => w.square().sum() as tf.Scalar;
      opt.minimize(loss);
      const p = await tf.profile(() => {
        opt.minimize(loss);
        return [];
      });
      tf.dispose(w);
      opt.dispose();
      return p.kernelNames;
    };
    const users = tf.train.adam(0.1);
    expect(users.applyGradients).toBe(tf.AdamOptimizer.prototype.applyGradients);
    expect(await kernels(users)).not.toContain('NnauditAdamUpdate');
    expect(await kernels(fusedAdam(0.1))).toContain('NnauditAdamUpdate');
    expect(tf.train.adam(0.1).applyGradients).toBe(tf.AdamOptimizer.prototype.applyGradients);
  });

  it('runs one kernel per variable instead of thirteen, and tfjs Adam again when switched off', async () => {
    const kernelsPerStep = async () => {
      const w = tf.variable(tf.ones([4, 3]));
      const opt = fusedAdam(0.1);
      const loss = () => w.square().sum() as tf.Scalar;
      opt.minimize(loss); // creates the moments
      const grads = tf.variableGrads(loss);
      const p = await tf.profile(() => {
        opt.applyGradients(grads.grads as unknown as Parameters<typeof opt.applyGradients>[0]);
        return [];
      });
      tf.dispose([w, grads.value, ...Object.values(grads.grads)]);
      opt.dispose();
      return p.kernelNames;
    };
    const fused = await kernelsPerStep();
    setWasmKernelOverrides(false);
    const plain = await kernelsPerStep().finally(() => setWasmKernelOverrides(true));
    expect(fused).toContain('NnauditAdamUpdate');
    expect(plain).not.toContain('NnauditAdamUpdate');
    expect(plain).toEqual(expect.arrayContaining(['Sqrt', 'RealDiv']));
  });

  it('model.fit with Adam leaks no tensors', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [5], units: 4, activation: 'relu' }), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: fusedAdam(0.01), loss: 'meanSquaredError' });
    const x = tf.tensor2d(values(40 * 5, 7), [40, 5]);
    const y = tf.tensor2d(values(40, 8), [40, 1]);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    tf.dispose([x, y]);
  });
});
