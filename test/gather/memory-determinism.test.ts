import { describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { fixtureSpecPath } from '../../src/cli/fixtures.js';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { withSeededMathRandom } from '../../src/gather/train/seeded-random.js';

/** n draws of Math.random, with a macrotask between each, so that concurrent callers interleave. */
async function draws(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Math.random());
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

describe('gather memory and determinism', () => {
  it('leaves no tensor behind: two audits in one process return to the baseline', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    await audit(fixtureSpecPath('healthy'));
    const afterOne = tf.memory().numTensors;
    await audit(fixtureSpecPath('dead-relu'));
    expect(afterOne).toBe(baseline);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('trains identically for the same seed and differently for another', async () => {
    const spec = {
      seed: 3,
      data: { generator: 'moons' as const, samples: 300, noise: 0.2 },
      model: {
        train: {
          layers: [
            { type: 'dense' as const, units: 8, activation: 'relu' as const },
            { type: 'dropout' as const, rate: 0.3 },
            { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
          ],
          loss: 'binaryCrossentropy' as const,
          epochs: 4,
        },
      },
    };
    const a = await audit(spec);
    const b = await audit(spec);
    const c = await audit({ ...spec, seed: 4 });
    expect(a.training.history?.series['loss']).toEqual(b.training.history?.series['loss']);
    expect(a.measurements.gradients).toEqual(b.measurements.gradients);
    expect(a.training.history?.series['loss']).not.toEqual(c.training.history?.series['loss']);
  });

  it('seeds each run on its own: concurrent runs draw their solo sequences, and Math.random is the original afterwards', async () => {
    const original = Math.random;
    const soloA = await withSeededMathRandom(1, () => draws(20));
    const soloB = await withSeededMathRandom(2, () => draws(20));
    expect(Math.random).toBe(original);
    // Code outside both runs keeps calling Math.random meanwhile: it must neither take from nor get their streams.
    const outside = (async () => {
      const o: number[] = [];
      for (let i = 0; i < 20; i++) {
        o.push(Math.random());
        await new Promise((r) => setTimeout(r, 0));
      }
      return o;
    })();
    const [a, b, rest] = await Promise.all([
      withSeededMathRandom(1, () => draws(20)),
      withSeededMathRandom(2, () => draws(20)),
      outside,
    ]);
    expect(a).toEqual(soloA);
    expect(b).toEqual(soloB);
    expect(rest.some((v) => soloA.includes(v) || soloB.includes(v))).toBe(false);
    expect(Math.random).toBe(original);
    await expect(withSeededMathRandom(3, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(Math.random).toBe(original);
    // A module that kept a reference to Math.random during a run still gets unseeded numbers afterwards.
    const captured = await withSeededMathRandom(1, () => Promise.resolve(Math.random));
    expect(soloA).not.toContain(captured());
  });

  it('two audits at once: each result equals its solo run, and the global Math.random is left as it was', async () => {
    const original = Math.random;
    const spec = (seed: number) => ({
      seed,
      data: { generator: 'moons' as const, samples: 300, noise: 0.2 },
      model: {
        train: {
          layers: [
            { type: 'dense' as const, units: 8, activation: 'relu' as const },
            { type: 'dropout' as const, rate: 0.3 },
            { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
          ],
          loss: 'binaryCrossentropy' as const,
          epochs: 4,
          batchSize: 16,
        },
      },
    });
    const soloA = await audit(spec(5));
    const soloB = await audit(spec(6));
    const [a, b] = await Promise.all([audit(spec(5)), audit(spec(6))]);
    expect(Math.random).toBe(original);
    expect(a.training.history?.series['loss']).toEqual(soloA.training.history?.series['loss']);
    expect(a.measurements.gradients).toEqual(soloA.measurements.gradients);
    expect(b.training.history?.series['loss']).toEqual(soloB.training.history?.series['loss']);
    expect(b.measurements.gradients).toEqual(soloB.measurements.gradients);
  }, 120_000);
});
