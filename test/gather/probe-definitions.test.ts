import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { tf } from '../../src/gather/tf.js';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { readFileSync } from 'node:fs';

/**
 * The numbers a user can check: with the probe set = the whole dataset (validationSplit 0, probeSize >= rows),
 * the recorded kernel-gradient L2 norms must equal an independent tf.grad of the mean loss, and dead fractions
 * must equal the share of units whose output is <= 0 on every sample.
 */
describe('probe definitions on a loaded model', () => {
  it('kernel-gradient norms are exactly the gradient of the mean loss over the probe set', async () => {
    const modelPath = path.join(fixturesDir(), 'models', 'wine-mlp', 'model.json');
    const dataPath = path.join(fixturesDir(), 'data', 'wine-standardized.json');
    const result = await audit({
      model: { load: { path: modelPath, validationSplit: 0 } },
      data: { json: dataPath, probeSize: 1000 },
    });
    const recorded = result.measurements.gradients[0]!.layers;

    const { model } = await loadLayersModel(modelPath);
    // Parsed here with JSON.parse, not by nnaudit's JSON source: a reader that misread the rows would fail this test.
    const d = JSON.parse(readFileSync(dataPath, 'utf8')) as { x: number[][]; y: number[] };
    const x = tf.tensor2d(d.x);
    const y = tf.oneHot(tf.tensor1d(d.y, 'int32'), 3).toFloat();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads, value } = tf.variableGrads(
      () => tf.metrics.categoricalCrossentropy(y, model.predict(x) as tf.Tensor).mean() as tf.Scalar,
      vars,
    );
    const hidden = model.getLayer('hidden');
    const kernelName = (hidden.trainableWeights[0]!.read() as tf.Variable).name;
    const expectedNorm = (await tf.norm(grads[kernelName]!).data())[0]!;
    expect(recorded.find((l) => l.layer === 'hidden')!.kernelNorm).toBeCloseTo(expectedNorm, 6);
    expect(result.measurements.gradients[0]!.loss).toBeCloseTo((await value.data())[0]!, 6);

    // Dead fraction: units of "hidden" whose output is <= 0 on every sample.
    const sub = tf.model({ inputs: model.inputs, outputs: hidden.output as tf.SymbolicTensor });
    const h = sub.predict(x) as tf.Tensor2D;
    const maxPerUnit = await h.max(0).data();
    const dead = Array.from(maxPerUnit).filter((m) => m <= 0).length;
    const recordedFractions = result.measurements.activations[0]!.layers.find(
      (l) => l.layer === 'hidden',
    )!.unitNonPositiveFraction;
    expect(recordedFractions.filter((f) => f >= 1).length).toBe(dead);
    tf.dispose([x, y, h, value, ...Object.values(grads)]);
    model.dispose();
  });
});
