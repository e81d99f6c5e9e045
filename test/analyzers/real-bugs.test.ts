import { itTrains } from '../helpers/requirements.js';
import { describe, expect } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { nnauditCallback } from '../../src/gather/train/callback.js';
import { analyze } from '../../src/audit/build-result.js';
import { generate } from '../../src/gather/data/generators.js';

/**
 * The issue's users' bugs, trained for real inside the user's own model.fit (the callback), where no pre-training
 * check runs: the findings must name them from the artifacts alone.
 */
async function fitWithCallback(labels: number[][], units: number, activation: string, loss: string) {
  const d = generate('blobs', { samples: 300, noise: 0.1, classes: 3, imageSize: 0, seed: 4 });
  const x = tf.tensor2d(d.x, [300, 2]);
  const y = tf.tensor2d(labels);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units, activation: activation as 'sigmoid' }),
    ],
  });
  const optimizer = tf.train.adam(0.02);
  model.compile({ optimizer, loss, metrics: ['accuracy'] });
  const probe = { x: x.slice(0, 128), y: y.slice(0, 128) };
  const cb = nnauditCallback({ probe, loss: loss as 'binaryCrossentropy' });
  await model.fit(x, y, { epochs: 15, batchSize: 32, callbacks: [cb], verbose: 0 });
  const artifacts = cb.artifacts();
  const result = analyze(artifacts);
  tf.dispose([x, y, probe.x, probe.y]);
  model.dispose();
  optimizer.dispose();
  return { result, labels: d.y };
}

const byId = (r: Awaited<ReturnType<typeof fitWithCallback>>['result'], id: string) =>
  r.findings.find((f) => f.id === id)!;

describe("real users' bugs, named from callback artifacts", () => {
  itTrains(
    'class ids {0, 1, 2} fed to one sigmoid unit with binaryCrossentropy: task-setup fails, the loss goes negative',
    async () => {
      await selectBackend();
      const d = generate('blobs', { samples: 300, noise: 0.1, classes: 3, imageSize: 0, seed: 4 });
      const { result } = await fitWithCallback(
        Array.from(d.y, (v) => [v]),
        1,
        'sigmoid',
        'binaryCrossentropy',
      );
      const ts = byId(result, 'task-setup');
      expect(ts.status).toBe('fail');
      expect(ts.displayValue).toMatch(/binaryCrossentropy needs targets in \[0, 1\], found 0\.\.2/);
      expect(result.training.history!.series['loss']!.at(-1)!).toBeLessThan(0);
      expect(ts.displayValue).toMatch(/went negative/);
      // Underfitting does not read the negative loss as a ratio.
      expect(byId(result, 'underfitting').status).toBe('notApplicable');
    },
    60_000,
  );

  itTrains(
    'sigmoid units with binaryCrossentropy on one-hot labels (multi-label): per-unit prior baseline; learning-rate blames no loaded model',
    async () => {
      const d = generate('blobs', { samples: 300, noise: 0.1, classes: 3, imageSize: 0, seed: 4 });
      const oneHot = Array.from(d.y, (v) => [0, 1, 2].map((k) => (k === v ? 1 : 0)));
      const { result } = await fitWithCallback(oneHot, 3, 'sigmoid', 'binaryCrossentropy');
      const uf = byId(result, 'underfitting');
      // Binary accuracy of a constant prediction on 3 balanced one-hot units is 2/3, not the 3-class chance 1/3.
      expect(uf.displayValue).toMatch(/vs chance 0\.6\d/);
      expect(uf.displayValue).toMatch(/each unit's prior/);
      expect(byId(result, 'task-setup').status).toBe('pass');
      // The callback fit trained the model: learning-rate says why it has no step sizes, not "a loaded model".
      expect(byId(result, 'learning-rate').displayValue).toMatch(/not measured in a callback run/);
    },
    60_000,
  );
});
