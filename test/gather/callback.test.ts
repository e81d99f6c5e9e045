import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend.js';
import { nnauditCallback } from '../../src/gather/callback.js';
import { analyze } from '../../src/analyze/build-result.js';
import { generate } from '../../src/gather/data/generators.js';

describe('nnauditCallback inside a user-owned model.fit', () => {
  it('collects the same artifacts and finds a dead layer the user built', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    const d = generate('moons', { samples: 400, noise: 0.2, classes: 2, imageSize: 0, seed: 5 });
    const x = tf.tensor2d(d.x, [400, 2]);
    const y = tf.tensor2d(d.y, [400, 1]);
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', name: 'h1' }),
      tf.layers.dense({ units: 16, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -10 }), name: 'h2' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }),
    ] });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const probe = { x: x.slice(0, 128), y: y.slice(0, 128) };
    const cb = nnauditCallback({ probe, loss: 'binaryCrossentropy' });
    await model.fit(x, y, { epochs: 5, validationSplit: 0.2, callbacks: [cb], verbose: 0 });
    const artifacts = cb.artifacts();
    expect(artifacts.history?.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(artifacts.gradients.map((g) => g.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const result = analyze(artifacts);
    expect(result.findings.find((f) => f.id === 'dead-relu')).toMatchObject({ status: 'fail', affectedLayers: ['h2'] });
    tf.dispose([x, y, probe.x, probe.y]);
    model.dispose();
    optimizer.dispose(); // Adam's moment variables are the caller's to free
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
