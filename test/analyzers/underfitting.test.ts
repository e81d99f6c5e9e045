import { itTrains } from '../helpers/requirements.js';
import { describe, expect, it } from 'vitest';
import { decay, gradientEpoch, history, makeArtifacts, regressionLinearFit } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import { summarizeTargets } from '../../src/gather/reference/target-summary.js';
import { audit } from '../../src/audit/audit.js';
import type { Artifacts } from '../../src/artifacts/schema.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

const ln2 = Math.log(2);

describe('underfitting', () => {
  it.each([
    { name: 'loss falls to 10% of trivial, accuracy 0.95', end: 0.1 * ln2, acc: 0.95, status: 'pass' },
    { name: 'loss stays at 60% of trivial', end: 0.6 * ln2, acc: 0.9, status: 'warn' },
    { name: 'loss stays at the trivial predictor', end: 0.99 * ln2, acc: 0.9, status: 'fail' },
    { name: 'loss lowish but accuracy at chance', end: 0.3 * ln2, acc: 0.52, status: 'fail' },
    { name: 'accuracy 40% of the way from chance', end: 0.3 * ln2, acc: 0.7, status: 'warn' },
  ])('$name -> $status', ({ end, acc, status }) => {
    const h = history({ loss: decay(20, ln2, end), accuracy: Array(20).fill(acc) });
    const f = runOne('underfitting', makeArtifacts({ history: h }));
    expect(f.status).toBe(status);
    expect(f.numericValue).toBeCloseTo(end / ln2, 1);
  });

  it('judges a loaded model (no history) by its probe loss', () => {
    const g = gradientEpoch(0, [0.1, 0.1, 0.1]);
    g.loss = 0.69;
    expect(runOne('underfitting', makeArtifacts({ gradients: [g] })).status).toBe('fail');
    g.loss = 0.05;
    expect(runOne('underfitting', makeArtifacts({ gradients: [g] })).status).toBe('pass');
  });

  it('uses label variance as the baseline for regression', () => {
    const data = { ...makeArtifacts().data, task: 'regression' as const, chanceAccuracy: null, trivialLoss: 2 };
    expect(runOne('underfitting', makeArtifacts({ data, history: history({ loss: decay(20, 3, 1.9) }) })).status).toBe(
      'fail',
    );
    expect(runOne('underfitting', makeArtifacts({ data, history: history({ loss: decay(20, 3, 0.2) }) })).status).toBe(
      'pass',
    );
  });

  it('MAE on 0/1 labels (an XOR net stuck at accuracy 0.5) is judged against the median, not "n/a"', () => {
    const y = Float32Array.from({ length: 200 }, (_, i) => i % 2);
    const base = makeArtifacts();
    // The old artifacts had no trivial loss for MAE.
    const data = { ...base.data, trivialLoss: null, targetSummary: summarizeTargets(y, 1, 'meanAbsoluteError') };
    const a = makeArtifacts({
      model: { ...base.model, loss: 'meanAbsoluteError' },
      data,
      history: history({ loss: decay(20, 0.5, 0.49), accuracy: Array(20).fill(0.5) }),
    });
    const f = runOne('underfitting', a);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/the median of each output/);
  });

  it('multi-label BCE over 10 units: per-unit binary entropy and binary-accuracy chance 0.9, not ln(10)/10 and 0.11', () => {
    const y = Float32Array.from(
      Array.from({ length: 500 }, (_, i) => Array.from({ length: 10 }, (_, c) => (i % 10 === c ? 1 : 0))).flat(),
    );
    const base = makeArtifacts();
    const data = {
      ...base.data,
      numClasses: 10,
      chanceAccuracy: 0.11,
      trivialLoss: Math.log(10) / 10,
      targetSummary: summarizeTargets(y, 10, 'binaryCrossentropy'),
    };
    // Binary accuracy 0.9 is what predicting 0 for every unit scores: no skill, whatever the old chance of 0.11 said.
    const stuck = makeArtifacts({
      data,
      history: history({ loss: decay(20, 0.4, 0.3), accuracy: Array(20).fill(0.9) }),
    });
    const f = runOne('underfitting', stuck);
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/accuracy 0.90 vs chance 0.90/);
    expect(f.numericValue).toBeCloseTo(0.3 / 0.325, 2);
  });

  it('a loss above half the baseline that barely moved over the run (probe loss) fails: training is stalled', () => {
    const probes = (first: number, last: number) =>
      [0, 10, 20].map((epoch, i) => ({
        ...gradientEpoch(epoch, [0.1, 0.1, 0.1]),
        loss: first + ((last - first) * i) / 2,
      }));
    const h = history({ loss: decay(20, 0.62 * ln2, 0.6 * ln2), accuracy: Array(20).fill(0.8) });
    expect(runOne('underfitting', makeArtifacts({ history: h, gradients: probes(0.43, 0.42) })).status).toBe('fail');
    expect(runOne('underfitting', makeArtifacts({ history: h, gradients: probes(0.43, 0.42) })).displayValue).toMatch(
      /fell by only 2\.3% over the run/,
    );
    // A loss that rose a little is not "fell by only -0%" (the dead-relu fixture's wording before).
    expect(runOne('underfitting', makeArtifacts({ history: h, gradients: probes(0.43, 0.431) })).displayValue).toMatch(
      /the probe loss did not fall \(rose by 0\.2%\) over the run/,
    );
    expect(runOne('underfitting', makeArtifacts({ history: h, gradients: probes(0.43, 0.43) })).displayValue).toMatch(
      /the probe loss did not fall over the run/,
    );
    // The same end point reached from far above: learning, only slowly (warn).
    expect(runOne('underfitting', makeArtifacts({ history: h, gradients: probes(0.9, 0.42) })).status).toBe('warn');
  });

  it('a probe (validation) loss that rose while the training loss fell is overfitting, not a stall', () => {
    // The accuracy benchmark's overfit-xor-ln0.3@v2: 30% flipped labels, training loss 0.69 -> 0.40 (57% of the
    // constant predictor's), validation probe loss up 40%. It failed as "fell by only -40%".
    const probes = [0, 75, 150].map((epoch, i) => ({
      ...gradientEpoch(epoch, [0.1, 0.1, 0.1]),
      loss: 0.7 * (1 + 0.2 * i),
    }));
    const memorizing = history({ loss: decay(150, 0.69, 0.57 * ln2), accuracy: Array(150).fill(0.8) });
    const f = runOne('underfitting', makeArtifacts({ history: memorizing, gradients: probes }));
    expect(f.status).toBe('warn');
    expect(f.displayValue).not.toMatch(/fell by only/);
    // A training loss that did not fall either is still stalled, whichever way the probe loss drifted.
    const flat = history({ loss: decay(150, 0.6 * ln2, 0.58 * ln2), accuracy: Array(150).fill(0.8) });
    expect(runOne('underfitting', makeArtifacts({ history: flat, gradients: probes })).status).toBe('fail');
  });

  it('a loss above half the baseline that was still falling fast when training ended fails: stopped too early (one epoch)', () => {
    const oneEpoch = history({ loss: [0.6 * ln2], accuracy: [0.8] });
    const probes = (losses: Array<[number, number]>) =>
      losses.map(([epoch, loss]) => ({ ...gradientEpoch(epoch, [0.1, 0.1, 0.1]), loss }));
    const f = runOne(
      'underfitting',
      makeArtifacts({
        history: oneEpoch,
        gradients: probes([
          [0, 0.69],
          [1, 0.42],
        ]),
      }),
    );
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toMatch(
      /training stopped after 1 epoch while the probe loss was still falling by 64% of itself \(39% of the constant predictor's loss\) per epoch since epoch 0/,
    );
    expect(f.recommendation).toMatch(/^Train longer/);
    // The same end point after 20 epochs, with the loss settling (2% per epoch over the last interval): only a warn.
    const settled = history({ loss: decay(20, 0.62 * ln2, 0.6 * ln2), accuracy: Array(20).fill(0.8) });
    expect(
      runOne(
        'underfitting',
        makeArtifacts({
          history: settled,
          gradients: probes([
            [0, 0.69],
            [10, 0.5],
            [20, 0.42],
          ]),
        }),
      ).status,
    ).toBe('warn');
  });

  it('a run probed only at its start and end is judged by the slope of its last epochs, not the drop from the random start', () => {
    // The fault benchmark's class-imbalance/iris: 55 rows (2 batches, no point inside the last epoch), probed at epochs 0
    // and 20 only; the training loss reached 0.2% of the constant predictor's by epoch 12. It failed as "still falling by
    // 19% of the constant predictor's loss per epoch since epoch 0".
    const probes = (losses: Array<[number, number]>) =>
      losses.map(([epoch, loss]) => ({ ...gradientEpoch(epoch, [0.1, 0.1, 0.1]), loss }));
    const fitted = history({ loss: decay(20, 0.71, 2e-4), accuracy: Array(20).fill(1) });
    const f = runOne(
      'underfitting',
      makeArtifacts({
        history: fitted,
        gradients: probes([
          [0, 0.75],
          [20, 2e-4],
        ]),
      }),
    );
    expect(f.status, f.displayValue).toBe('pass');
    // Still falling fast over its last epochs (a 5-epoch run probed at its ends, 12% of the baseline per epoch): fails, and says which loss.
    const short = history({ loss: [0.68, 0.6, 0.52, 0.44, 0.36], accuracy: Array(5).fill(0.8) });
    const stopped = runOne(
      'underfitting',
      makeArtifacts({
        history: short,
        gradients: probes([
          [0, 0.69],
          [5, 0.35],
        ]),
      }),
    );
    expect(stopped.status, stopped.displayValue).toBe('fail');
    expect(stopped.displayValue).toMatch(
      /while the training loss was still falling by 22% of itself \(12% of the constant predictor's loss\) per epoch since epoch 2/,
    );
  });

  it('a trained checkpoint fine-tuned for one epoch whose loss stays put is not stalled: it started where training ended', () => {
    // k3-churn-ann (Keras 3, trained) with --epochs 1: the probe loss starts at 67% of the constant predictor's and rises 0.8%.
    const probes = [
      { ...gradientEpoch(0, [0.1, 0.1, 0.1]), loss: 0.67 * ln2 },
      { ...gradientEpoch(1, [0.1, 0.1, 0.1]), loss: 0.675 * ln2 },
    ];
    const loaded = (gradients: typeof probes) => {
      const a = makeArtifacts({ history: history({ loss: [0.67 * ln2], accuracy: [0.86] }), gradients });
      a.model.source = 'loaded';
      return a;
    };
    const fineTuned = runOne('underfitting', loaded(probes));
    expect(fineTuned.status, fineTuned.displayValue).toBe('warn');
    expect(fineTuned.displayValue).not.toMatch(/did not fall/);
    // The same end from an untrained start (an initial checkpoint at 98% of the constant predictor's, then 90%) is stuck.
    const untrained = [
      { ...probes[0]!, loss: 0.98 * ln2 },
      { ...probes[1]!, loss: 0.9 * ln2 },
    ];
    expect(runOne('underfitting', loaded(untrained)).status).toBe('fail');
    // A model built from the spec starts untrained whatever its first loss (a linear map of spirals starts at 70%).
    const built = makeArtifacts({ history: history({ loss: [0.67 * ln2], accuracy: [0.86] }), gradients: probes });
    expect(runOne('underfitting', built).status).toBe('fail');
  });

  it('one epoch that already beats half the baseline but was still falling fast in its second half fails: stopped too early', () => {
    // A one-epoch run at 40% of the constant predictor's loss (moons after one Adam epoch: skill 0.80, 0.91 when trained).
    const oneEpoch = history({ loss: [0.45 * ln2], accuracy: [0.88] });
    const probes = [
      { ...gradientEpoch(0, [0.1, 0.1, 0.1]), loss: 0.7 },
      { ...gradientEpoch(1, [0.1, 0.1, 0.1]), loss: 0.4 * ln2 },
    ];
    const falling = makeArtifacts({ history: oneEpoch, gradients: probes });
    falling.lossBeforeEnd = { epoch: 0.5, loss: 0.52 * ln2 }; // 12% of the baseline in half an epoch: 24% per epoch
    const f = runOne('underfitting', falling);
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toMatch(
      /still falling by 60% of itself \(24% of the constant predictor's loss\) per epoch over the second half of the last epoch/,
    );
    expect(f.recommendation).toMatch(/^Train longer/);
    // One long epoch that had settled by its middle (a big dataset): the drop from the random start is not the end's slope.
    const settled = makeArtifacts({ history: oneEpoch, gradients: probes });
    settled.lossBeforeEnd = { epoch: 0.5, loss: 0.41 * ln2 };
    expect(runOne('underfitting', settled).status).toBe('pass');
  });

  it('a loaded classifier without history is judged by its evaluated accuracy too', () => {
    const g = gradientEpoch(0, [0.1, 0.1, 0.1]);
    g.loss = 0.3 * ln2; // a probe loss that alone would pass
    const evaluation = (accuracy: number) => ({
      rows: 200,
      on: 'all rows' as const,
      loss: 0.3 * ln2,
      metrics: { accuracy },
    });
    const atChance = runOne('underfitting', makeArtifacts({ gradients: [g], evaluation: evaluation(0.52) }));
    expect(atChance.status).toBe('fail');
    expect(atChance.displayValue).toMatch(/evaluated accuracy 0.52 vs chance 0.50/);
    expect(runOne('underfitting', makeArtifacts({ gradients: [g], evaluation: evaluation(0.97) })).status).toBe('pass');
  });

  it('sets a linear model fitted to the same rows beside the network as a second baseline, without moving the verdict', () => {
    const linearFit = (train: number, validation: number) => ({
      method: 'multinomial logistic regression',
      rows: 600,
      features: 2,
      classes: 2,
      validationRows: 200,
      trainAccuracy: train,
      validationAccuracy: validation,
      trainLoss: 0.3,
      ms: 9,
      skipped: null,
    });
    const run = (acc: number, fit: ReturnType<typeof linearFit> | null) => {
      const a = makeArtifacts({
        history: history({
          loss: decay(20, ln2, 0.7 * ln2),
          accuracy: Array(20).fill(acc),
          val_accuracy: Array(20).fill(acc),
        }),
      });
      if (fit) a.data.linearFit = fit;
      return runOne('underfitting', a);
    };
    // A network below what a linear model reaches on the same rows: a training problem, not missing capacity.
    const below = run(0.6, linearFit(0.93, 0.92));
    expect(below.status).toBe(run(0.6, null).status);
    expect(below.displayValue).toBe(run(0.6, null).displayValue);
    expect(below.recommendation).toMatch(
      /^A linear model fitted to the same rows reaches 0.92 validation accuracy, more than this network's 0.60: .*look at training/,
    );
    expect(below.evidence.find((e) => e.kind === 'table')).toMatchObject({
      rows: [
        { model: 'constant predictor' },
        { model: 'linear model', train: 0.93, validation: 0.92 },
        { model: 'this network', train: 0.6, validation: 0.6 },
      ],
      highlight: [2],
    });
    // No better than linear where linear is poor (XOR): it needs non-linear capacity.
    expect(run(0.52, linearFit(0.53, 0.51)).recommendation).toMatch(
      /^This network is no better than a linear model \(a linear model reaches 0.51 validation accuracy; this network 0.52\), and a linear model cannot fit these rows: it needs non-linear capacity/,
    );
    // No better than a linear model that fits well (label noise, say): the fact, without a cause.
    expect(run(0.8, linearFit(0.81, 0.8)).recommendation).toMatch(
      /^This network is no better than a linear model \(a linear model reaches 0.80 validation accuracy; this network 0.80\)\. Add capacity/,
    );
    // A passing network carries no linear table: the baseline only helps explain a problem.
    const good = makeArtifacts({ history: history({ loss: decay(20, ln2, 0.05), accuracy: Array(20).fill(0.98) }) });
    good.data.linearFit = linearFit(0.5, 0.5);
    expect(runOne('underfitting', good).evidence.some((e) => e.kind === 'table')).toBe(false);
  });
});

describe('underfitting beside a neighbour vote on the training rows', () => {
  /**
   * A binary classifier trained for one epoch (or `epochs`) to 42% of the constant predictor's loss (under the warn
   * line), with a neighbour vote recorded.
   */
  function trained(
    vote: number,
    network: number,
    neighbourOnly: number,
    networkOnly: number,
    rows = 300,
    epochs = 1,
  ): Artifacts {
    const a = makeArtifacts({
      history: history({ loss: Array<number>(epochs).fill(0.29), accuracy: Array<number>(epochs).fill(network) }),
    });
    a.data.neighbourFit = {
      method: '5-nearest-neighbour vote',
      k: 5,
      rows,
      features: 2,
      accuracy: vote,
      networkAccuracy: network,
      neighbourOnly,
      networkOnly,
      ms: 3,
      skipped: null,
    };
    return a;
  }

  it("a network clearly below the vote fails: the data allows a closer fit (set 9's one-epoch moons)", () => {
    const f = runOne('underfitting', trained(0.96, 0.853, 36, 4));
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.displayValue).toMatch(
      /; a 5-nearest-neighbour vote \(each row left out of its own vote\) answers 96% of 300 training rows, this network 85% \(36 rows only the vote gets right, 4 only the network\): the data allows a closer fit \(4\.9 standard errors\) than 1 epoch of training found$/,
    );
    expect(f.recommendation).toMatch(
      /^The training rows allow a closer fit than this run found \(96% for a 5-nearest-neighbour vote, 85% for this network\): train longer \(Keras and tfjs fit one epoch unless given epochs\) and tune the learning rate before adding capacity\./,
    );
    expect(f.evidence.find((e) => e.kind === 'table')).toMatchObject({
      title: 'Baselines on the same rows: a constant predictor and a neighbour vote',
      rows: [
        { model: 'constant predictor' },
        { model: '5-nearest-neighbour vote (leave-one-out, 300 rows)', train: 0.96 },
        { model: 'this network', train: 0.853 },
      ],
      highlight: [2],
    });
  });

  it('the same network without a vote recorded passes (the loss alone is under the warn line)', () => {
    const a = trained(0.96, 0.853, 36, 4);
    delete a.data.neighbourFit;
    const f = runOne('underfitting', a);
    expect(f.status, f.displayValue).toBe('pass');
  });

  it("the same gap after 30 epochs warns: it may be the model's own limit (the accuracy benchmark's healthy tanh network on moons)", () => {
    const f = runOne('underfitting', trained(0.97, 0.91, 39, 4, 600, 30));
    expect(f.status, f.displayValue).toBe('warn');
    expect(f.displayValue).toMatch(/: the data allows a closer fit \(5\.2 standard errors\)$/);
    expect(f.recommendation).toMatch(
      /^The training rows allow a closer fit than this run found \(97% for a 5-nearest-neighbour vote, 91% for this network\): train longer and tune/,
    );
  });

  it.each([
    { name: 'a gap under 5 points', a: trained(0.96, 0.93, 12, 3), status: 'pass' },
    // 10 points on 20 rows: 3 rows against 1 is chance (McNemar z 0.5).
    { name: 'a 10-point gap on 20 rows: not significant', a: trained(0.95, 0.85, 3, 1, 20), status: 'pass' },
    { name: 'the network ahead of the vote', a: trained(0.9, 0.97, 2, 23), status: 'pass' },
  ])('$name -> $status', ({ a, status }) => {
    expect(runOne('underfitting', a).status).toBe(status);
  });

  it('a model audited as saved is not held against the vote (it was fit on other rows)', () => {
    const a = trained(0.96, 0.853, 36, 4);
    expect(
      runOne('underfitting', { ...a, history: null, model: { ...a.model, source: 'loaded' } }).displayValue,
    ).not.toMatch(/neighbour/);
  });

  /** moons, relu(32)-relu(32): trained for `epochs` (the fault benchmark's one-epoch mutation at 1). */
  const moons = (epochs: number): SpecInput => ({
    seed: 17,
    data: { generator: 'moons', samples: 400, noise: 0.2, normalize: 'standardize' },
    model: {
      train: {
        layers: [
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
        loss: 'binaryCrossentropy',
        metrics: ['accuracy'],
        epochs,
        batchSize: 32,
        optimizer: { name: 'adam', learningRate: 0.01 },
      },
    },
  });

  itTrains(
    'a real moons network trained for one epoch, flat at the end, fails against the vote; the same network trained 20 epochs passes',
    async () => {
      const short = (await audit(moons(1))).findings.find((x) => x.id === 'underfitting')!;
      expect(short.status, short.displayValue).toBe('fail');
      expect(short.displayValue).toMatch(/nearest-neighbour vote .*: the data allows a closer fit/);
      const full = (await audit(moons(20))).findings.find((x) => x.id === 'underfitting')!;
      expect(full.status, full.displayValue).toBe('pass');
    },
    60_000,
  );
});

describe('underfitting of a regression network beside the least-squares fit', () => {
  /** A regression net (MSE, constant predictor's MSE 1) whose training and validation loss end at `end`. */
  const run = (
    end: number,
    fit: { train: number; validation: number } | null,
    loss: 'meanSquaredError' | 'meanAbsoluteError' = 'meanSquaredError',
  ) => {
    const base = makeArtifacts();
    const a = makeArtifacts({
      model: {
        ...base.model,
        loss,
        layers: base.model.layers.map((l) => ({ ...l, activation: l.name === 'dense_3' ? 'linear' : l.activation })),
      },
      data: { ...base.data, task: 'regression', numClasses: 0, chanceAccuracy: null, trivialLoss: 1 },
      history: history({ loss: decay(20, 1, end), val_loss: decay(20, 1, end) }),
    });
    if (fit) {
      a.data.linearFit = regressionLinearFit({ train: fit.train, validation: fit.validation, constant: 1 });
    }
    return runOne('underfitting', a);
  };

  it('names a training problem below the line, missing capacity at a line that cannot fit, and changes no verdict', () => {
    // Sine-like: the line leaves 40% of the variance; this network 70%: worse than a straight line.
    const below = run(0.7, { train: 0.4, validation: 0.41 });
    expect(below.status).toBe(run(0.7, null).status);
    expect(below.displayValue).toBe(run(0.7, null).displayValue);
    expect(below.recommendation).toMatch(
      /^A linear least-squares fit to the same rows reaches validation MSE 0.410, less than this network's 0.70\d: .*look at training/,
    );
    expect(below.evidence.find((e) => e.kind === 'table')).toMatchObject({
      title: expect.stringMatching(/least squares on 600 training rows/),
      columns: [
        { key: 'model' },
        { key: 'train', label: 'Training loss (MSE)' },
        { key: 'validation', label: 'Validation loss (MSE)' },
      ],
      rows: [
        { model: 'constant predictor', train: 1 },
        { model: 'linear model', train: 0.4, validation: 0.41 },
        { model: 'this network' },
      ],
      highlight: [2],
    });
    // At a line that leaves 90% of the variance: the data needs a non-linear model.
    expect(run(0.9, { train: 0.9, validation: 0.89 }).recommendation).toMatch(
      /^This network is no better than a linear model \(a linear least-squares fit reaches validation MSE 0.890; this network 0.90\d\), and a linear model cannot fit these rows: it needs non-linear capacity/,
    );
    // At a line that fits well (R^2 0.6: the rest may be noise): the fact, without a cause.
    expect(run(0.6, { train: 0.4, validation: 0.6 }).recommendation).toMatch(
      /^This network is no better than a linear model \(a linear least-squares fit reaches validation MSE 0.600; this network 0.60\d\)\. Add capacity/,
    );
    // A fit scored in another loss than the network's is not compared.
    expect(
      run(0.7, { train: 0.4, validation: 0.41 }, 'meanAbsoluteError').evidence.some((e) => e.kind === 'table'),
    ).toBe(false);
  });
});

describe('underfitting of a model audited as saved', () => {
  it('points at how the data is fed before capacity, and never says "0 epochs so far"', () => {
    const base = makeArtifacts();
    const a = makeArtifacts({
      model: { ...base.model, source: 'loaded' },
      gradients: [{ ...gradientEpoch(0, [0.1, 0.1, 0.1]), loss: 0.69 }],
    });
    const f = runOne('underfitting', a);
    expect(f.status).toBe('fail');
    expect(f.recommendation).toMatch(
      /^A trained model that scores like this .* fed differently than in training: check the feature columns and their order, the scaling .* class order/,
    );
    expect(f.recommendation).toMatch(/train it \(--epochs N/);
    expect(f.recommendation).not.toMatch(/epochs so far/);
    // A model trained in this run keeps the training advice.
    expect(
      runOne(
        'underfitting',
        makeArtifacts({ gradients: a.gradients, history: history({ loss: decay(20, 0.7, 0.68) }) }),
      ).recommendation,
    ).toMatch(/train longer \(20 epochs so far\)/);
  });
});
