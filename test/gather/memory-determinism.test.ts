import { describe, expect, it } from 'vitest';
import { audit } from '../../src/analyze/audit.js';
import { fixtureSpecPath } from '../../src/cli/fixtures.js';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend.js';

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
      model: { train: { layers: [{ type: 'dense' as const, units: 8, activation: 'relu' as const }, { type: 'dropout' as const, rate: 0.3 }, { type: 'dense' as const, units: 1, activation: 'sigmoid' as const }], loss: 'binaryCrossentropy' as const, epochs: 4 } },
    };
    const a = await audit(spec);
    const b = await audit(spec);
    const c = await audit({ ...spec, seed: 4 });
    expect(a.training.history?.series['loss']).toEqual(b.training.history?.series['loss']);
    expect(a.measurements.gradients).toEqual(b.measurements.gradients);
    expect(a.training.history?.series['loss']).not.toEqual(c.training.history?.series['loss']);
  });
});
