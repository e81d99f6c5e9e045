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
    expect(s).toMatchObject({ seed: 42, gate: { preset: 'recommended' }, data: { probeSize: 256, samples: 600, normalize: 'none' } });
    expect('train' in s.model && s.model.train).toMatchObject({ epochs: 20, batchSize: 32, validationSplit: 0.2, optimizer: { name: 'adam', learningRate: 0.001 } });
  });

  it.each([
    ['a misspelt top-level key', { ...base, analyser: {} }, /\(root\): Unrecognized key: "analyser"/],
    ['a wrong layer type', { ...base, model: { train: { ...base.model.train, layers: [{ type: 'dense2', units: 2 }] } } }, /model.train.layers.0.type: .*\(got "dense2"\)/],
    ['a negative learning rate', { ...base, model: { train: { ...base.model.train, optimizer: { name: 'adam', learningRate: -1 } } } }, /model.train.optimizer.learningRate: .*\(got -1\)/],
    ['an unknown loss', { ...base, model: { train: { ...base.model.train, loss: 'hinge' } } }, /model.train.loss: .*binaryCrossentropy.*\(got "hinge"\)/],
    ['an unknown generator', { ...base, data: { generator: 'swiss' } }, /data.*\(got/],
    ['an unknown analyzer', { ...base, analyzers: { 'dead-neurons': false } }, /analyzers.dead-neurons: unknown analyzer; known: dead-relu, /],
    ['an unknown gate assertion', { ...base, gate: { assertions: { overfit: 'error' } } }, /gate.assertions.overfit: no analyzer has this id/],
    ['a bad assertion level', { ...base, gate: { assertions: { overfitting: 'fatal' } } }, /gate.assertions.overfitting/],
    ['both train and load', { ...base, model: { ...base.model, load: { path: 'm.json' } } }, /model/],
  ])('rejects %s, naming the field and the value', (_name, spec, message) => {
    expect(() => validateSpec(spec, 'spec.json')).toThrow(SpecError);
    expect(() => validateSpec(spec, 'spec.json')).toThrow(message);
  });
});
