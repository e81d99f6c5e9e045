import { describe, expect, it } from 'vitest';
import { activationLayer, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts } from '../../src/artifacts/schema.js';

/** A model whose last layer has `activation` over `units` outputs, trained with `loss`. */
function withOutput(
  activation: string,
  units: number,
  loss: string,
  task: 'classification' | 'regression' = 'classification',
  spread = 0.3,
): Artifacts {
  const base = makeArtifacts();
  const layers = base.model.layers.map((l, i) =>
    i === 2 ? { ...l, activation, units, outputShape: [null, units] } : l,
  );
  const out = activationLayer('dense_3', activation, Array(units).fill(0));
  out.unitStd = Array(units).fill(spread);
  return makeArtifacts({
    model: { ...base.model, layers, loss, outputShape: [null, units] },
    data: { ...base.data, task },
    activations: [{ epoch: 1, layers: [out] }],
  });
}

describe('output-activation', () => {
  it.each([
    { name: 'sigmoid, 1 unit, binary CE', act: 'sigmoid', units: 1, loss: 'binaryCrossentropy', status: 'pass' },
    {
      name: 'softmax, 3 units, categorical CE',
      act: 'softmax',
      units: 3,
      loss: 'categoricalCrossentropy',
      status: 'pass',
    },
    {
      name: 'linear, 1 unit, MSE regression',
      act: 'linear',
      units: 1,
      loss: 'meanSquaredError',
      status: 'pass',
      task: 'regression' as const,
    },
    {
      name: 'softmax on 1 unit (constant 1.0)',
      act: 'softmax',
      units: 1,
      loss: 'binaryCrossentropy',
      status: 'fail',
      match: /softmax over a single unit.*always 1.0/,
    },
    {
      name: 'relu output with categorical CE',
      act: 'relu',
      units: 3,
      loss: 'categoricalCrossentropy',
      status: 'fail',
      match: /needs probabilities/,
    },
    {
      name: 'linear output with binary CE',
      act: 'linear',
      units: 1,
      loss: 'binaryCrossentropy',
      status: 'fail',
      match: /needs probabilities/,
    },
    {
      name: 'sigmoid over 3 classes with categorical CE',
      act: 'sigmoid',
      units: 3,
      loss: 'categoricalCrossentropy',
      status: 'fail',
      match: /need not sum to 1/,
    },
    {
      name: 'sigmoid output for regression',
      act: 'sigmoid',
      units: 1,
      loss: 'meanSquaredError',
      status: 'fail',
      match: /regression target/,
      task: 'regression' as const,
    },
  ])('$name -> $status', ({ act, units, loss, status, match, task }) => {
    const f = runOne('output-activation', withOutput(act, units, loss, task));
    expect(f.status).toBe(status);
    if (match) {
      expect(f.displayValue).toMatch(match);
      expect(f.affectedLayers).toEqual(['dense_3']);
      expect(f.recommendation).toBeTruthy();
    }
  });

  /** The same model, its loss computed from logits (PyTorch CrossEntropyLoss / BCEWithLogitsLoss, Keras from_logits=True). */
  const onLogits = (act: string, units: number, loss: string, source: 'stated' | 'saved' | 'detected' = 'detected') => {
    const a = withOutput(act, units, loss);
    return { ...a, model: { ...a.model, fromLogits: true, fromLogitsSource: source } };
  };

  it.each([
    {
      name: 'linear logits, 10 units, sparse CE from logits (a PyTorch classifier)',
      act: 'linear',
      units: 10,
      loss: 'sparseCategoricalCrossentropy',
      status: 'pass',
      match: /logits over 10 units.*softmax inside the loss.*detected/,
    },
    {
      name: 'linear logit, 1 unit, BCE from logits',
      act: 'linear',
      units: 1,
      loss: 'binaryCrossentropy',
      status: 'pass',
      match: /sigmoid inside the loss/,
    },
    {
      name: 'softmax before a logits loss (double softmax)',
      act: 'softmax',
      units: 10,
      loss: 'categoricalCrossentropy',
      status: 'fail',
      match: /double softmax/,
    },
    {
      name: 'sigmoid before BCE with logits (double sigmoid)',
      act: 'sigmoid',
      units: 1,
      loss: 'binaryCrossentropy',
      status: 'fail',
      match: /double sigmoid/,
    },
    {
      name: 'relu output before a logits loss',
      act: 'relu',
      units: 3,
      loss: 'categoricalCrossentropy',
      status: 'fail',
      match: /not logits/,
    },
  ])('on logits: $name -> $status', ({ act, units, loss, status, match }) => {
    const f = runOne('output-activation', onLogits(act, units, loss, status === 'fail' ? 'stated' : 'detected'));
    expect(f.status).toBe(status);
    expect(f.displayValue).toMatch(match);
    if (status === 'fail') expect(f.recommendation).toMatch(/Remove the final|linear layer/);
  });

  it('confirms the constant output of softmax on one unit, and leaves other constant outputs to dead-relu/underfitting', () => {
    expect(
      runOne('output-activation', withOutput('softmax', 1, 'binaryCrossentropy', 'classification', 0)).displayValue,
    ).toMatch(/always 1.0 \(measured: constant on every probe sample\)/);
    expect(
      runOne('output-activation', withOutput('sigmoid', 1, 'binaryCrossentropy', 'classification', 0)).status,
    ).toBe('pass');
  });

  it('finds the activation of a trailing Activation layer (Dense(1) + Activation(softmax))', () => {
    const a = withOutput('softmax', 1, 'binaryCrossentropy');
    a.model.layers.push({
      name: 'dropout_9',
      className: 'Dropout',
      activation: null,
      outputShape: [null, 1],
      params: 0,
      inputs: ['dense_3'],
      units: null,
    });
    expect(runOne('output-activation', a).affectedLayers).toEqual(['dense_3']);
  });
});
