import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend.js';
import { nnauditCallback } from '../../src/gather/callback.js';
import { analyze } from '../../src/analyze/build-result.js';
import { generate } from '../../src/gather/data/generators.js';
import { gather } from '../../src/gather/gather.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { openDataset, prepareData } from '../../src/gather/data/prepare.js';
import { rowCount, type Dataset } from '../../src/gather/data/dataset.js';
import { buildModel, makeOptimizer } from '../../src/gather/build-model.js';
import { encodeTargets } from '../../src/gather/targets.js';
import { withSeededMathRandom } from '../../src/gather/seeded-random.js';
import type { Artifacts } from '../../src/artifacts/schema.js';

/** Weight statistics without the size of the step after each probe, which only gather measures (it needs a per-batch hook). */
const withoutUpdateRatios = (w: Artifacts['weights']) => w.map((e) => ({ ...e, weights: e.weights.map((w) => ({ ...w, updateRatio: null })) }));

describe('nnauditCallback inside a user-owned model.fit', () => {
  // One epoch: the probe loss half-way through it (lossBeforeEnd) is recorded by both, at the same step.
  it.each([4, 1])('records the same history and probes as gather, value by value, for the same model, seed and data (%i epochs)', async (epochs) => {
    await selectBackend();
    const spec = validateSpec({
      seed: 11,
      data: { generator: 'moons', samples: 300, noise: 0.2, probeEvery: 1 },
      model: { train: { layers: [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy', epochs } },
    });
    if (!('train' in spec.model)) throw new Error('a training spec');
    const train = spec.model.train;
    const fromGather = await gather(spec);

    // The user's side: the same rows, model and optimizer; their own fit, with the callback.
    const baseline = tf.memory().numTensors;
    const raw = await openDataset(spec.data, { baseDir: process.cwd(), seed: spec.seed, inputShape: null, checkShape: () => undefined });
    const data = prepareData(raw, spec.data, train.validationSplit, spec.seed);
    const toX = (d: Dataset) => tf.tensor(d.x, [rowCount(d), ...d.featureShape]);
    const [xTrain, yTrain, xVal, yVal, xProbe, yProbe] = [toX(data.train), encodeTargets(data.train, train.loss, 1),
      toX(data.validation!), encodeTargets(data.validation!, train.loss, 1), toX(data.probe), encodeTargets(data.probe, train.loss, 1)];
    const model = buildModel(train, raw.featureShape, spec.seed);
    const optimizer = makeOptimizer(train.optimizer);
    model.compile({ optimizer, loss: train.loss, metrics: ['accuracy'] });
    const cb = nnauditCallback({ probe: { x: xProbe, y: yProbe }, loss: train.loss, epochs: train.epochs });
    await withSeededMathRandom(spec.seed, () => model.fit(xTrain, yTrain, {
      epochs: train.epochs, batchSize: train.batchSize, shuffle: true, validationData: [xVal, yVal], callbacks: [cb], verbose: 0,
    }));
    const fromCallback = cb.artifacts();

    const loss = fromCallback.history?.series['loss'] ?? [];
    expect(loss).toHaveLength(epochs);
    for (const v of loss) expect(Number.isFinite(v)).toBe(true); // was null: tfjs hands a tf.Callback unresolved Scalars
    expect(fromCallback.history).toEqual(fromGather.history);
    expect(fromCallback.gradients).toEqual(fromGather.gradients);
    expect(fromCallback.activations).toEqual(fromGather.activations);
    expect(withoutUpdateRatios(fromCallback.weights)).toEqual(withoutUpdateRatios(fromGather.weights));
    expect(fromCallback.lossBeforeEnd).toEqual(fromGather.lossBeforeEnd);
    if (epochs === 1) expect(fromCallback.lossBeforeEnd?.epoch).toBeGreaterThan(0);

    tf.dispose([xTrain, yTrain, xVal, yVal, xProbe, yProbe]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

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
    const fitted = await model.fit(x, y, { epochs: 5, validationSplit: 0.2, callbacks: [cb], verbose: 0 });
    const artifacts = cb.artifacts();
    expect(artifacts.history?.epochs).toEqual([1, 2, 3, 4, 5]);
    // Real numbers, the same tfjs' own History holds.
    expect(artifacts.history?.series['loss']).toEqual(fitted.history['loss']);
    expect(artifacts.history?.series['val_accuracy']).toEqual(fitted.history['val_acc']);
    expect(artifacts.gradients.map((g) => g.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const result = analyze(artifacts);
    expect(result.findings.find((f) => f.id === 'non-finite-values')?.status).toBe('pass');
    expect(result.findings.find((f) => f.id === 'dead-relu')).toMatchObject({ status: 'fail', affectedLayers: ['h2'] });
    tf.dispose([x, y, probe.x, probe.y]);
    model.dispose();
    optimizer.dispose(); // Adam's moment variables are the caller's to free
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
