import { describe, expect, it } from 'vitest';
import { history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts, LayerInfo } from '../../src/artifacts/schema.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';

type L = [name: string, className: string, activation: string | null];

/** A sequential model from [name, class, activation] rows. */
function model(rows: L[], over: Partial<Artifacts> = {}): Artifacts {
  const layers: LayerInfo[] = rows.map(([name, className, activation], i) => ({
    name, className, activation, outputShape: [null, 4], params: /Dense|Conv/.test(className) ? 10 : 0,
    inputs: i ? [rows[i - 1]![0]] : ['input'], units: /Dense|Conv/.test(className) ? 4 : null,
  }));
  const base = makeArtifacts();
  return makeArtifacts({ model: { ...base.model, layers }, ...over });
}

const fit = (acc: number, loss: number, chance = 1 / 3) => ({
  history: history({ loss: Array(10).fill(loss), accuracy: Array(10).fill(acc) }),
  data: { ...makeArtifacts().data, chanceAccuracy: chance, trivialLoss: Math.log(3) },
});

describe('missing-nonlinearity', () => {
  it.each([
    { name: 'relu MLP', rows: [['d1', 'Dense', 'relu'], ['d2', 'Dense', 'relu'], ['out', 'Dense', 'softmax']] as L[], status: 'pass' },
    { name: 'Dense(linear) + ReLU layer + Dense', rows: [['d1', 'Dense', 'linear'], ['r', 'ReLU', 'relu'], ['out', 'Dense', 'softmax']] as L[], status: 'pass' },
    { name: 'Dense(linear) -> Dense(softmax) after a relu layer (one pair)', rows: [['d1', 'Dense', 'relu'], ['d2', 'Dense', 'linear'], ['out', 'Dense', 'softmax']] as L[], status: 'warn', match: /d2 -> out/ },
    { name: 'all linear, through Dropout and BatchNormalization', rows: [['d1', 'Dense', 'linear'], ['dr', 'Dropout', null], ['bn', 'BatchNormalization', null], ['d2', 'Dense', 'linear'], ['out', 'Dense', 'sigmoid']] as L[], status: 'fail', match: /no non-linearity anywhere: 3 trainable layers/ },
    { name: 'Dense(linear) x3 regression (DeepLocalize facial keypoints)', rows: [['d1', 'Dense', 'linear'], ['d2', 'Dense', 'linear'], ['d3', 'Dense', 'linear']] as L[], status: 'fail', match: /compose to one linear map/ },
    { name: 'Dense(linear) -> Activation(softmax) as the link', rows: [['d1', 'Dense', 'linear'], ['d2', 'Dense', 'linear'], ['act', 'Activation', 'softmax']] as L[], status: 'fail', match: /d1 -> d2/ },
    { name: 'conv(linear) -> maxpool -> flatten -> dense softmax (tiny-cnn)', rows: [['c', 'Conv2D', 'linear'], ['p', 'MaxPooling2D', null], ['f', 'Flatten', null], ['out', 'Dense', 'softmax']] as L[], status: 'warn', match: /only max-pooling/ },
    { name: 'an unknown layer between linear maps counts as non-linear (no false alarm)', rows: [['d1', 'Dense', 'linear'], ['x', 'MysteryLayer', null], ['out', 'Dense', 'softmax']] as L[], status: 'pass' },
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

  it('is not applicable without Dense or convolution layers', () => {
    expect(runOne('missing-nonlinearity', model([['f', 'Flatten', null]])).status).toBe('notApplicable');
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
    const { loadLayersModel } = await import('../../src/gather/load-model.js');
    const { describeModel } = await import('../../src/gather/model-graph.js');
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
