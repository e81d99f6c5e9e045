import { describe, expect, it } from 'vitest';
import { history, makeArtifacts, regressionLinearFit } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts, LayerInfo, LinearFit } from '../../src/artifacts/schema.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';

type L = [name: string, className: string, activation: string | null];

/** A sequential model from [name, class, activation] rows. */
function model(rows: L[], over: Partial<Artifacts> = {}): Artifacts {
  const layers: LayerInfo[] = rows.map(([name, className, activation], i) => ({
    name,
    className,
    activation,
    outputShape: [null, 4],
    params: /Dense|Conv/.test(className) ? 10 : 0,
    inputs: i ? [rows[i - 1]![0]] : ['input'],
    units: /Dense|Conv/.test(className) ? 4 : null,
  }));
  const base = makeArtifacts();
  return makeArtifacts({ model: { ...base.model, layers }, ...over });
}

const fit = (acc: number, loss: number, chance = 1 / 3) => ({
  history: history({ loss: Array(10).fill(loss), accuracy: Array(10).fill(acc) }),
  data: { ...makeArtifacts().data, chanceAccuracy: chance, trivialLoss: Math.log(3) },
});

function linearFit(train: number | null, validation: number | null): LinearFit {
  return {
    method: 'multinomial logistic regression',
    rows: 600,
    features: 2,
    classes: 3,
    validationRows: validation === null ? 0 : 200,
    trainAccuracy: train,
    validationAccuracy: validation,
    trainLoss: train === null ? null : 0.7,
    ms: 12,
    skipped: null,
  };
}

describe('missing-nonlinearity', () => {
  it.each([
    {
      name: 'relu MLP',
      rows: [
        ['d1', 'Dense', 'relu'],
        ['d2', 'Dense', 'relu'],
        ['out', 'Dense', 'softmax'],
      ] as L[],
      status: 'pass',
    },
    {
      name: 'Dense(linear) + ReLU layer + Dense',
      rows: [
        ['d1', 'Dense', 'linear'],
        ['r', 'ReLU', 'relu'],
        ['out', 'Dense', 'softmax'],
      ] as L[],
      status: 'pass',
    },
    {
      name: 'Dense(linear) -> Dense(softmax) after a relu layer (one pair)',
      rows: [
        ['d1', 'Dense', 'relu'],
        ['d2', 'Dense', 'linear'],
        ['out', 'Dense', 'softmax'],
      ] as L[],
      status: 'warn',
      match: /d2 -> out/,
    },
    {
      name: 'all linear, through Dropout and BatchNormalization',
      rows: [
        ['d1', 'Dense', 'linear'],
        ['dr', 'Dropout', null],
        ['bn', 'BatchNormalization', null],
        ['d2', 'Dense', 'linear'],
        ['out', 'Dense', 'sigmoid'],
      ] as L[],
      status: 'fail',
      match: /no non-linearity anywhere: 3 trainable layers/,
    },
    {
      name: 'Dense(linear) x3 regression (DeepLocalize facial keypoints)',
      rows: [
        ['d1', 'Dense', 'linear'],
        ['d2', 'Dense', 'linear'],
        ['d3', 'Dense', 'linear'],
      ] as L[],
      status: 'fail',
      match: /compose to one linear map/,
    },
    {
      name: 'Dense(linear) -> Activation(softmax) as the link',
      rows: [
        ['d1', 'Dense', 'linear'],
        ['d2', 'Dense', 'linear'],
        ['act', 'Activation', 'softmax'],
      ] as L[],
      status: 'fail',
      match: /d1 -> d2/,
    },
    {
      name: 'conv(linear) -> maxpool -> flatten -> dense softmax (tiny-cnn)',
      rows: [
        ['c', 'Conv2D', 'linear'],
        ['p', 'MaxPooling2D', null],
        ['f', 'Flatten', null],
        ['out', 'Dense', 'softmax'],
      ] as L[],
      status: 'warn',
      match: /only max-pooling/,
    },
    {
      name: 'an unknown layer between linear maps counts as non-linear (no false alarm)',
      rows: [
        ['d1', 'Dense', 'linear'],
        ['x', 'MysteryLayer', null],
        ['out', 'Dense', 'softmax'],
      ] as L[],
      status: 'pass',
    },
  ])('$name -> $status', ({ rows, status, match }) => {
    const f = runOne('missing-nonlinearity', model(rows));
    expect(f.status, f.displayValue).toBe(status);
    if (match) expect(f.displayValue).toMatch(match);
  });

  it('a single-layer linear classifier fails when it cannot fit the data, and passes when it can', () => {
    const linear: L[] = [['out', 'Dense', 'softmax']];
    // The accuracy benchmark's linear-spirals case: accuracy ~0.5 against chance 0.33 (skill 0.25).
    const spirals = runOne('missing-nonlinearity', model(linear, fit(0.5, 0.9)));
    expect(spirals.status).toBe('fail');
    expect(spirals.displayValue).toMatch(/cannot fit this data; training accuracy 0.50 vs chance 0.33/);
    expect(spirals.recommendation).toMatch(/hidden layer with a non-linear activation/);
    // Linearly separable blobs: accuracy 0.98.
    expect(runOne('missing-nonlinearity', model(linear, fit(0.98, 0.08))).status).toBe('pass');
  });

  it('judges a single linear layer by the linear model gather fitted to the same rows, and quotes it beside the network', () => {
    const linear: L[] = [['out', 'Dense', 'softmax']];
    const withVal = (acc: number, valAcc: number, loss: number) => ({
      ...fit(acc, loss),
      history: history({
        loss: Array(10).fill(loss),
        accuracy: Array(10).fill(acc),
        val_accuracy: Array(10).fill(valAcc),
      }),
    });
    // Spirals: the linear ceiling itself is near chance, so the data needs a non-linearity.
    const spirals = model(linear, withVal(0.53, 0.51, 0.9));
    spirals.data.linearFit = linearFit(0.55, 0.52);
    const s = runOne('missing-nonlinearity', spirals);
    expect(s.status).toBe('fail');
    expect(s.displayValue).toMatch(
      /a linear model reaches 0.52 validation accuracy; this network 0.51: it is no better than linear/,
    );
    const table = s.evidence.find(
      (e) => e.kind === 'table' && e.title.startsWith('Fit of this network and of a linear model'),
    );
    expect(table).toMatchObject({ columns: expect.arrayContaining([{ key: 'linear', label: 'Linear model' }]) });
    expect(table?.kind === 'table' && table.rows.find((r) => r['measure'] === 'validation accuracy')).toEqual({
      measure: 'validation accuracy',
      network: 0.51,
      linear: 0.52,
    });
    // Separable data where this run trained badly (accuracy 0.5): a straight boundary fits, so the cause is not a
    // missing non-linearity (underfitting names the training problem). Without the linear fit this failed.
    const badRun = model(linear, withVal(0.5, 0.5, 0.9));
    expect(runOne('missing-nonlinearity', badRun).status).toBe('fail');
    badRun.data.linearFit = linearFit(0.97, 0.96);
    const b = runOne('missing-nonlinearity', badRun);
    expect(b.status).toBe('pass');
    expect(b.displayValue).toMatch(
      /a linear model reaches 0.96 validation accuracy; this network 0.50: it is no better than linear/,
    );
  });

  it('quotes the linear ceiling for a whole linear stack; a healthy ReLU network beats it and passes', () => {
    const stack = model(
      [
        ['d1', 'Dense', 'linear'],
        ['d2', 'Dense', 'linear'],
        ['out', 'Dense', 'softmax'],
      ],
      fit(0.5, 0.9),
    );
    stack.data.linearFit = linearFit(0.52, null);
    expect(runOne('missing-nonlinearity', stack).displayValue).toMatch(
      /compose to one linear map; training accuracy 0.50 vs chance 0.33; a linear model reaches 0.52 training accuracy; this network 0.50: it is no better than linear/,
    );
    const healthy = model(
      [
        ['d1', 'Dense', 'relu'],
        ['out', 'Dense', 'softmax'],
      ],
      fit(0.97, 0.1),
    );
    healthy.data.linearFit = linearFit(0.52, null);
    const h = runOne('missing-nonlinearity', healthy);
    expect(h.status).toBe('pass');
    expect(h.displayValue).toBe('1 non-linear layer between 2 trainable layers');
    const t = h.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'));
    expect(t?.kind === 'table' && t.rows[0]).toMatchObject({ measure: 'training accuracy', linear: 0.52 });
  });

  it('does not compare with a per-unit binary accuracy (binaryCrossentropy over several units) or a skipped fit', () => {
    const linear: L[] = [
      ['d1', 'Dense', 'linear'],
      ['out', 'Dense', 'sigmoid'],
    ];
    const a = model(linear, fit(0.9, 0.3));
    a.model = { ...a.model, loss: 'binaryCrossentropy', outputShape: [null, 10] };
    a.data.linearFit = linearFit(0.5, 0.5);
    expect(runOne('missing-nonlinearity', a).displayValue).toMatch(/a linear model reaches 0.50 validation accuracy$/);
    a.data.linearFit = { ...linearFit(null, null), skipped: 'regression targets: no classifier to fit' };
    expect(runOne('missing-nonlinearity', a).displayValue).not.toMatch(/a linear model/);
  });

  it('is not applicable without Dense or convolution layers', () => {
    expect(runOne('missing-nonlinearity', model([['f', 'Flatten', null]])).status).toBe('notApplicable');
  });
});

describe('missing-nonlinearity for regression, judged on the least-squares fit', () => {
  const regression = (rows: L[], networkLoss: number, fit: { train: number; validation: number; constant: number }) => {
    const a = model(rows, {
      history: history({ loss: Array(10).fill(networkLoss), val_loss: Array(10).fill(networkLoss) }),
    });
    a.model.loss = 'meanSquaredError';
    a.data = { ...a.data, task: 'regression', numClasses: 0, chanceAccuracy: null, trivialLoss: fit.constant };
    a.data.linearFit = regressionLinearFit({ train: fit.train, validation: fit.validation, constant: fit.constant });
    return runOne('missing-nonlinearity', a);
  };

  it('quotes the least-squares floor for a linear stack, and fails a single linear layer only where a line cannot fit', () => {
    const stack = regression(
      [
        ['d1', 'Dense', 'linear'],
        ['out', 'Dense', 'linear'],
      ],
      0.21,
      { train: 0.2, validation: 0.205, constant: 0.5 },
    );
    expect(stack.status).toBe('fail');
    expect(stack.displayValue).toMatch(
      /compose to one linear map; loss 42% of a constant predictor's; a linear least-squares fit reaches validation MSE 0.205; this network 0.210: it is no better than linear$/,
    );
    const table = stack.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'));
    expect(table).toMatchObject({
      title: 'Fit of this network and of a linear model (least squares on 600 training rows)',
      rows: [
        { measure: 'training loss (MSE)', network: 0.21, linear: 0.2 },
        { measure: 'validation loss (MSE)', network: 0.21, linear: 0.205 },
        { measure: 'loss / constant predictor', linear: 0.4 },
      ],
    });
    // One linear layer: a line that explains 60% of the variance can fit, one that explains 10% cannot, whatever the network reached.
    const single: L[] = [['out', 'Dense', 'linear']];
    expect(regression(single, 0.21, { train: 0.2, validation: 0.205, constant: 0.5 }).status).toBe('pass');
    const poor = regression(single, 0.3, { train: 0.9, validation: 0.92, constant: 1 });
    expect(poor.status).toBe('fail');
    expect(poor.displayValue).toMatch(/that cannot fit this data; .*this network 0.300, 33% of it$/);
    expect(poor.recommendation).toMatch(/can only fit a linear function of the inputs/);
    expect(poor.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'))).toMatchObject({
      highlight: [2],
    });
  });
});

describeWith(['shared'], 'missing-nonlinearity on real models', () => {
  it.each([
    // Both DeepLocalize facial-keypoints versions are Dense(linear) x3: the "correct" one kept the architecture (its fix was elsewhere).
    { dir: 'dl-facialkeypoints-buggy/tfjs_model_trained', status: 'fail' },
    { dir: 'dl-facialkeypoints-correct/tfjs_model_trained', status: 'fail' },
    { dir: 'tfjs-handwritten-digits-tiny-cnn/tfjs', status: 'warn' },
    { dir: 'tfjs-maternal-health-mlp-dropout/tfjs', status: 'pass' },
  ])('$dir -> $status', async ({ dir, status }) => {
    const { loadLayersModel } = await import('../../src/gather/model/load-model.js');
    const { describeModel } = await import('../../src/gather/model/model-graph.js');
    const { model } = await loadLayersModel(sharedPath('real-models', dir, 'model.json'));
    try {
      const info = describeModel(model, 'loaded', null, 'meanSquaredError', null);
      const f = runOne('missing-nonlinearity', makeArtifacts({ model: info }));
      expect(f.status, f.displayValue).toBe(status);
    } finally {
      model.dispose();
    }
  });
});
