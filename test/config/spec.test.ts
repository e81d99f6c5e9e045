import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/config/load-spec.js';
import { SpecError } from '../../src/errors.js';

const base = {
  model: { train: { layers: [{ type: 'dense', units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' } },
  data: { generator: 'moons' },
};

describe('spec validation', () => {
  it('fills sensible defaults', () => {
    const s = validateSpec(base);
    expect(s).toMatchObject({
      seed: 42,
      gate: { preset: 'recommended' },
      data: { probeSize: 256, samples: 600, normalize: 'none' },
    });
    expect('train' in s.model && s.model.train).toMatchObject({
      epochs: 20,
      batchSize: 32,
      validationSplit: 0.2,
      optimizer: { name: 'adam', learningRate: 0.001 },
    });
  });

  it.each([
    ['a misspelt top-level key', { ...base, analyser: {} }, /\(root\): Unrecognized key: "analyser"/],
    [
      'a wrong layer type',
      { ...base, model: { train: { ...base.model.train, layers: [{ type: 'dense2', units: 2 }] } } },
      /model.train.layers.0.type: .*\(got "dense2"\)/,
    ],
    [
      'a negative learning rate',
      { ...base, model: { train: { ...base.model.train, optimizer: { name: 'adam', learningRate: -1 } } } },
      /model.train.optimizer.learningRate: .*\(got -1\)/,
    ],
    [
      'an unknown loss',
      { ...base, model: { train: { ...base.model.train, loss: 'hinge' } } },
      /model.train.loss: .*binaryCrossentropy.*\(got "hinge"\)/,
    ],
    ['an unknown generator', { ...base, data: { generator: 'swiss' } }, /data.*\(got/],
    [
      'an unknown analyzer',
      { ...base, analyzers: { 'dead-neurons': false } },
      /analyzers.dead-neurons: unknown analyzer; known: class-imbalance, dead-relu, /,
    ],
    [
      'an unknown gate assertion',
      { ...base, gate: { assertions: { overfit: 'error' } } },
      /gate.assertions.overfit: no analyzer has this id/,
    ],
    [
      'a bad assertion level',
      { ...base, gate: { assertions: { overfitting: 'fatal' } } },
      /gate.assertions.overfitting/,
    ],
    ['both train and load', { ...base, model: { ...base.model, load: { path: 'm.json' } } }, /model/],
    [
      'a trainable flag that is not a boolean',
      { ...base, model: { train: { ...base.model.train, layers: [{ type: 'dense', units: 1, trainable: 'no' }] } } },
      /model.train.layers.0.trainable: .*boolean.*\(got "no"\)/,
    ],
    [
      'a trainable flag on a layer without weights',
      {
        ...base,
        model: {
          train: {
            ...base.model.train,
            layers: [{ type: 'dropout', rate: 0.1, trainable: false }, ...base.model.train.layers],
          },
        },
      },
      /model.train.layers.0: Unrecognized key: "trainable"/,
    ],
    [
      'every layer with weights frozen (tfjs cannot fit that)',
      {
        ...base,
        model: {
          train: {
            ...base.model.train,
            layers: [
              { type: 'dense', units: 4, trainable: false },
              { type: 'dropout', rate: 0.1 },
              { type: 'dense', units: 1, trainable: false },
            ],
          },
        },
      },
      /model.train.layers: every layer with weights has trainable: false \(2 of them\), so training would change nothing/,
    ],
  ])('rejects %s, naming the field and the value', (_name, spec, message) => {
    expect(() => validateSpec(spec, 'spec.json')).toThrow(SpecError);
    expect(() => validateSpec(spec, 'spec.json')).toThrow(message);
  });

  it('layers with weights are trainable unless they say trainable: false', () => {
    const s = validateSpec({
      ...base,
      model: {
        train: {
          ...base.model.train,
          layers: [
            { type: 'dense', units: 4, trainable: false },
            { type: 'batchNormalization' },
            ...base.model.train.layers,
          ],
        },
      },
    });
    expect('train' in s.model && s.model.train.layers.map((l) => ('trainable' in l ? l.trainable : null))).toEqual([
      false,
      true,
      true,
    ]);
  });
});
