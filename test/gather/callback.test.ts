import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { nnauditCallback } from '../../src/gather/train/callback.js';
import { analyze } from '../../src/audit/build-result.js';
import { generate } from '../../src/gather/data/generators.js';
import { gather } from '../../src/gather/gather.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { openDataset, prepareData } from '../../src/gather/data/prepare.js';
import { rowCount, type Dataset } from '../../src/gather/data/dataset.js';
import { buildModel, makeOptimizer } from '../../src/gather/model/build-model.js';
import { encodeTargets } from '../../src/gather/reference/targets.js';
import { withSeededMathRandom } from '../../src/gather/train/seeded-random.js';
import type { Artifacts } from '../../src/artifacts/schema.js';
import { fitLinearBaseline } from '../../src/gather/reference/linear-fit.js';
import { createRng } from '../../src/util/random.js';

/** Weight statistics without the size of the step after each probe, which only gather measures (it needs a per-batch hook). */
const withoutUpdateRatios = (w: Artifacts['weights']) =>
  w.map((e) => ({ ...e, weights: e.weights.map((w) => ({ ...w, updateRatio: null })) }));

describe('nnauditCallback inside a user-owned model.fit', () => {
  // One epoch: the probe loss half-way through it (lossBeforeEnd) is recorded by both, at the same step.
  it.each([4, 1])(
    'records the same history and probes as gather, value by value, for the same model, seed and data (%i epochs)',
    async (epochs) => {
      await selectBackend();
      const spec = validateSpec({
        seed: 11,
        data: { generator: 'moons', samples: 300, noise: 0.2, probeEvery: 1 },
        model: {
          train: {
            layers: [
              { type: 'dense', units: 8, activation: 'relu' },
              { type: 'dense', units: 1, activation: 'sigmoid' },
            ],
            loss: 'binaryCrossentropy',
            epochs,
          },
        },
      });
      if (!('train' in spec.model)) throw new Error('a training spec');
      const train = spec.model.train;
      const fromGather = await gather(spec);

      // The user's side: the same rows, model and optimizer; their own fit, with the callback.
      const baseline = tf.memory().numTensors;
      const raw = await openDataset(spec.data, {
        baseDir: process.cwd(),
        seed: spec.seed,
        inputShape: null,
        checkShape: () => undefined,
      });
      const data = prepareData(raw, spec.data, train.validationSplit, spec.seed);
      const toX = (d: Dataset) => tf.tensor(d.x, [rowCount(d), ...d.featureShape]);
      const [xTrain, yTrain, xVal, yVal, xProbe, yProbe] = [
        toX(data.train),
        encodeTargets(data.train, train.loss, 1),
        toX(data.validation!),
        encodeTargets(data.validation!, train.loss, 1),
        toX(data.probe),
        encodeTargets(data.probe, train.loss, 1),
      ];
      const model = buildModel(train, raw.featureShape, spec.seed);
      const optimizer = makeOptimizer(train.optimizer);
      model.compile({ optimizer, loss: train.loss, metrics: ['accuracy'] });
      const cb = nnauditCallback({ probe: { x: xProbe, y: yProbe }, loss: train.loss, epochs: train.epochs });
      await withSeededMathRandom(spec.seed, () =>
        model.fit(xTrain, yTrain, {
          epochs: train.epochs,
          batchSize: train.batchSize,
          shuffle: true,
          validationData: [xVal, yVal],
          callbacks: [cb],
          verbose: 0,
        }),
      );
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
    },
  );

  it('collects the same artifacts and finds a dead layer the user built', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    const d = generate('moons', { samples: 400, noise: 0.2, classes: 2, imageSize: 0, seed: 5 });
    const x = tf.tensor2d(d.x, [400, 2]);
    const y = tf.tensor2d(d.y, [400, 1]);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', name: 'h1' }),
        tf.layers.dense({
          units: 16,
          activation: 'relu',
          biasInitializer: tf.initializers.constant({ value: -10 }),
          name: 'h2',
        }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }),
      ],
    });
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

  it("fits the same linear baseline as gather: a linear-only network on circles gets missing-nonlinearity's ceiling evidence", async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    const d = generate('circles', { samples: 800, noise: 0.05, classes: 2, imageSize: 0, seed: 5 });
    const x = tf.tensor2d(d.x, [800, 2]);
    const y = tf.tensor2d(d.y, [800, 1]);
    const [xTrain, yTrain, xVal, yVal] = [x.slice(0, 600), y.slice(0, 600), x.slice(600), y.slice(600)];
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 8, activation: 'linear', name: 'h' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }),
      ],
    });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const probe = { x: xVal.slice(0, 128), y: yVal.slice(0, 128) };
    const cb = nnauditCallback({
      probe,
      loss: 'binaryCrossentropy',
      baseline: { x: xTrain, y: yTrain, validation: { x: xVal, y: yVal } },
    });
    await model.fit(xTrain, yTrain, { epochs: 10, validationData: [xVal, yVal], callbacks: [cb], verbose: 0 });
    const artifacts = cb.artifacts();
    // The same function on the same rows as gather would call it: one implementation.
    const rows = (from: number, to: number): Dataset => ({
      x: d.x.slice(from * 2, to * 2),
      y: d.y.slice(from, to),
      featureShape: [2],
      featureNames: [],
      task: 'classification',
      numClasses: 2,
      source: 'circles',
    });
    const expected = fitLinearBaseline(
      rows(0, 600),
      rows(600, 800),
      'binaryCrossentropy',
      'training rows given to nnauditCallback',
    );
    expect(artifacts.data.linearFit).toEqual({ ...expected, ms: expect.any(Number) });
    expect(expected).toMatchObject({ rows: 600, validationRows: 200, skipped: null });
    expect(artifacts.timing['linearFitMs']).toBeGreaterThan(0);
    const mn = analyze(artifacts).findings.find((f) => f.id === 'missing-nonlinearity')!;
    expect(mn.status).toBe('fail');
    // The weights start unseeded here: the network lands just under or just over the linear model, both are the ceiling evidence.
    expect(mn.displayValue).toMatch(
      /a linear model reaches 0\.\d\d validation accuracy; this network 0\.\d\d(: it is no better than linear|, 0\.0\d above it)/,
    );
    expect(mn.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'))?.title).toMatch(
      /logistic regression on 600 training rows given to nnauditCallback/,
    );
    tf.dispose([x, y, xTrain, yTrain, xVal, yVal, probe.x, probe.y]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('without baseline rows fits the probe rows and says so, decoding one-hot and regression targets; baseline: false fits none', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    const s = generate('spirals', { samples: 300, noise: 0.1, classes: 3, imageSize: 0, seed: 5 });
    const x = tf.tensor2d(s.x, [300, 2]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(s.y, 'int32'), 3).toFloat());
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const run = async (
      options: Partial<Parameters<typeof nnauditCallback>[0]>,
      loss: 'categoricalCrossentropy' | 'meanSquaredError',
      xs: tf.Tensor,
      ys: tf.Tensor,
    ) => {
      const cb = nnauditCallback({ probe: { x: xs, y: ys }, loss, ...options });
      await model.fit(xs, ys, { epochs: 2, callbacks: [cb], verbose: 0 });
      return cb.artifacts();
    };
    const fromProbe = (await run({}, 'categoricalCrossentropy', x, y)).data.linearFit;
    const ids: Dataset = {
      x: s.x,
      y: s.y,
      featureShape: [2],
      featureNames: [],
      task: 'classification',
      numClasses: 3,
      source: 'spirals',
    };
    expect(fromProbe).toEqual({
      ...fitLinearBaseline(
        ids,
        null,
        'categoricalCrossentropy',
        'probe rows (no baseline rows were given to nnauditCallback)',
      ),
      ms: expect.any(Number),
    });
    expect(fromProbe).toMatchObject({ classes: 3, rows: 300, validationRows: 0 });
    expect((await run({ baseline: false }, 'categoricalCrossentropy', x, y)).data.linearFit).toBeUndefined();
    model.dispose();

    const sine = generate('sine', { samples: 200, noise: 0.1, classes: 0, imageSize: 0, seed: 5 });
    const [sx, sy] = [tf.tensor2d(sine.x, [200, 1]), tf.tensor2d(sine.y, [200, 1])];
    const regression = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
    regression.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const cb = nnauditCallback({ probe: { x: sx, y: sy }, loss: 'meanSquaredError' });
    await regression.fit(sx, sy, { epochs: 2, callbacks: [cb], verbose: 0 });
    expect(cb.artifacts().data.linearFit).toMatchObject({
      task: 'regression',
      loss: 'meanSquaredError',
      rows: 200,
      targets: 1,
      skipped: null,
    });
    // Rows wider than a linear fit is made for: skipped by their width (and not copied).
    const [wx, wy] = [tf.zeros([16, 1100]), tf.zeros([16, 1])];
    const wide = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1100], units: 1 })] });
    wide.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const wideCb = nnauditCallback({ probe: { x: wx, y: wy }, loss: 'meanSquaredError' });
    await wide.fit(wx, wy, { epochs: 1, callbacks: [wideCb], verbose: 0 });
    expect(wideCb.artifacts().data.linearFit).toMatchObject({
      features: 1100,
      skipped: expect.stringMatching(/1100 features is more than the 1024/),
    });
    wide.dispose();
    tf.dispose([wx, wy]);
    const short = sy.slice(0, 10);
    expect(() =>
      nnauditCallback({ probe: { x: sx, y: sy }, loss: 'meanSquaredError', baseline: { x: sx, y: short } }),
    ).toThrow(/baseline.x\/y has 200 input rows but 10 target rows/);
    regression.dispose();
    tf.dispose([x, y, sx, sy, short]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('votes with the nearest neighbours on the training rows given as baseline rows, paired with the network; not on probe rows', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    const d = generate('moons', { samples: 400, noise: 0.2, classes: 2, imageSize: 0, seed: 17 });
    const x = tf.tensor2d(d.x, [400, 2]);
    const y = tf.tensor2d(d.y, [400, 1]);
    // Seeded weights and no shuffle: the 1-epoch network lands in the same place on every run, so the gap is known.
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu', kernelInitializer: init(1) }),
        tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
      ],
    });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const probe = { x: x.slice(0, 128), y: y.slice(0, 128) };
    // tfjs's fit trains one epoch unless given epochs: the mistake the vote is there to catch.
    const cb = nnauditCallback({ probe, loss: 'binaryCrossentropy', baseline: { x, y } });
    await model.fit(x, y, { callbacks: [cb], verbose: 0, shuffle: false });
    const vote = cb.artifacts().data.neighbourFit!;
    // The network's share is its own answers on those rows, computed independently here.
    const answered = tf.tidy(
      () =>
        (model.predict(x) as tf.Tensor)
          .reshape([-1])
          .greater(0.5)
          .toFloat()
          .equal(y.reshape([-1]))
          .mean()
          .dataSync()[0]!,
    );
    expect(vote).toMatchObject({ k: 5, rows: 400, features: 2, skipped: null });
    expect(vote.networkAccuracy).toBeCloseTo(answered, 6);
    expect(vote.accuracy!).toBeGreaterThan(0.9);
    expect(cb.artifacts().timing['neighbourFitMs']).toBeGreaterThan(0);
    const u = analyze(cb.artifacts()).findings.find((f) => f.id === 'underfitting')!;
    expect(vote.accuracy! - vote.networkAccuracy!).toBeGreaterThanOrEqual(0.05);
    expect(u.displayValue).toMatch(/nearest-neighbour vote .* than 1 epoch of training found/);
    // Without baseline rows the probe rows stand in for the linear fit, but the network was not fit on them: no vote.
    const fromProbe = nnauditCallback({ probe, loss: 'binaryCrossentropy' });
    await model.fit(x, y, { epochs: 1, callbacks: [fromProbe], verbose: 0 });
    expect(fromProbe.artifacts().data.neighbourFit).toBeUndefined();
    tf.dispose([x, y, probe.x, probe.y]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('checks the training labels against the validation rows given as baseline rows: 40% changed labels fail label-noise, clean labels pass', async () => {
    await selectBackend();
    const baseline = tf.memory().numTensors;
    // Three separated blobs, 400 rows in class order 0, 1, 2, 0...: the first 300 train, the last 100 validate.
    const centers = [
      [-3, 0],
      [3, 0],
      [0, 4],
    ];
    const draw = createRng(29);
    const classes = Array.from({ length: 400 }, (_, i) => i % 3);
    const points = classes.flatMap((c) => centers[c]!.map((v) => v + (draw() - 0.5) * 2));
    const audit = async (noisy: boolean) => {
      const rng = createRng(3);
      const labels = classes.map((c, i) => (noisy && i < 300 && rng() < 0.4 ? (c + 1 + Math.floor(rng() * 2)) % 3 : c));
      const x = tf.tensor2d(points, [400, 2]);
      const y = tf.tensor2d(labels, [400, 1]);
      const [xTrain, xVal, yTrain, yVal] = [x.slice(0, 300), x.slice(300), y.slice(0, 300), y.slice(300)];
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      const optimizer = tf.train.adam(0.01);
      model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const cb = nnauditCallback({
        probe: { x: xTrain, y: yTrain },
        loss: 'sparseCategoricalCrossentropy',
        baseline: { x: xTrain, y: yTrain, validation: { x: xVal, y: yVal } },
      });
      await model.fit(xTrain, yTrain, { epochs: 5, validationData: [xVal, yVal], callbacks: [cb], verbose: 0 });
      const finding = analyze(cb.artifacts()).findings.find((f) => f.id === 'label-noise')!;
      tf.dispose([x, y, xTrain, xVal, yTrain, yVal]);
      model.dispose();
      optimizer.dispose();
      return finding;
    };
    const noisy = await audit(true);
    expect(noisy.status, noisy.displayValue).toBe('fail');
    expect(noisy.displayValue).toMatch(
      /^the validation rows' vote agrees with \d+% of 300 training labels and \d+% of 100 validation labels/,
    );
    const clean = await audit(false);
    expect(clean.status, clean.displayValue).toBe('pass');
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
