import { describe, expect, it } from 'vitest';
import { REPAIRS, ALL_REPAIRS, REPAIR_BY_ID } from '../../src/fix/spec-patches.js';
import { REPAIR_IDS } from '../../src/analyzers/support/define-analyzer.js';
import { loadSpecFile, validateSpec } from '../../src/config/load-spec.js';
import { fixtureExpectations, fixtureSpecPath } from '../../src/cli/fixtures.js';
import { ANALYZERS } from '../../src/analyzers/index.js';
import type { Spec } from '../../src/config/spec-schema.js';

const fixture = (name: string): Spec => loadSpecFile(fixtureSpecPath(name)).spec;
const layers = (s: Spec | null) => (s && 'train' in s.model ? s.model.train.layers : null);
const train = (s: Spec | null) => (s && 'train' in s.model ? s.model.train : null);

describe('repairs as spec patches', () => {
  it.each([
    // [repair, fixture, what the patched spec must show]
    [
      'heInit',
      'dead-relu',
      (s: Spec | null) =>
        expect(layers(s)![1]).toMatchObject({ kernelInitializer: 'heNormal', biasInitializer: 'zeros' }),
    ],
    [
      'leakyRelu',
      'dead-relu',
      (s: Spec | null) =>
        expect(layers(s)!.map((l) => l.type)).toEqual(['dense', 'leakyRelu', 'dense', 'leakyRelu', 'dense']),
    ],
    [
      'batchNorm',
      'dead-relu',
      (s: Spec | null) =>
        expect(layers(s)!.map((l) => l.type)).toEqual([
          'dense',
          'batchNormalization',
          'activation',
          'dense',
          'batchNormalization',
          'activation',
          'dense',
        ]),
    ],
    ['lrDown', 'dead-relu', (s: Spec | null) => expect(train(s)!.optimizer.learningRate).toBeCloseTo(0.001)],
    ['lrUp', 'dead-relu', (s: Spec | null) => expect(train(s)!.optimizer.learningRate).toBeCloseTo(0.1)],
    ['clipGradients', 'exploding-gradients', (s: Spec | null) => expect(train(s)!.optimizer.clipnorm).toBe(1)],
    ['standardizeInputs', 'saturated-activations', (s: Spec | null) => expect(s!.data.normalize).toBe('standardize')],
    [
      'glorotInit',
      'exploding-gradients',
      (s: Spec | null) =>
        expect(layers(s)!.filter((l) => 'kernelInitializer' in l && l.kernelInitializer !== undefined)).toEqual([]),
    ],
    [
      'reluHe',
      'vanishing-gradients',
      (s: Spec | null) =>
        expect(
          layers(s)!
            .slice(0, -1)
            .every((l) => l.type === 'dense' && l.activation === 'relu'),
        ).toBe(true),
    ],
    ['fewerLayers', 'vanishing-gradients', (s: Spec | null) => expect(layers(s)).toHaveLength(3)],
    ['addHiddenLayers', 'underfitting', (s: Spec | null) => expect(layers(s)).toHaveLength(3)],
    ['moreEpochs', 'underfitting', (s: Spec | null) => expect(train(s)!.epochs).toBe(90)],
    ['fewerEpochs', 'overfitting', (s: Spec | null) => expect(train(s)!.epochs).toBe(30)],
    [
      'dropout',
      'overfitting',
      (s: Spec | null) => expect(layers(s)!.filter((l) => l.type === 'dropout')).toHaveLength(2),
    ],
    [
      'smallerLayers',
      'overfitting',
      (s: Spec | null) =>
        expect(
          layers(s)!
            .slice(0, 2)
            .map((l) => (l.type === 'dense' ? l.units : 0)),
        ).toEqual([64, 64]),
    ],
    [
      'adam',
      'vanishing-gradients',
      (s: Spec | null) => expect(train(s)!.optimizer).toEqual({ name: 'adam', learningRate: 0.001 }),
    ],
  ] as const)('%s on %s', (repair, name, check) => {
    const before = fixture(name);
    const frozen = JSON.stringify(before);
    const after = REPAIRS[repair].patch(before);
    check(after);
    expect(JSON.stringify(before), 'a patch must not modify its input').toBe(frozen);
  });

  it.each([
    ['heInit', 'vanishing-gradients'], // no ReLU layers
    ['leakyRelu', 'vanishing-gradients'],
    ['standardizeInputs', 'dead-relu'], // already standardized
    ['fewerLayers', 'dead-relu'], // two hidden layers already
    ['addHiddenLayers', 'dead-relu'],
    ['reluHe', 'dead-relu'],
    ['glorotInit', 'dead-relu'],
    ['matchOutput', 'dead-relu'], // sigmoid + binaryCrossentropy already fit
    ['adam', 'dead-relu'],
  ] as const)('%s does not apply to %s (null, so it is never retrained)', (repair, name) => {
    expect(REPAIRS[repair].patch(fixture(name))).toBeNull();
  });

  it('reluHidden gives relu + heNormal to linear hidden layers only: not the head, not a layer an activation layer follows', () => {
    const s = fixture('dead-relu');
    const t = train(s)!;
    const linear = {
      ...s,
      model: {
        train: {
          ...t,
          layers: t.layers.map((l, i) => (i < 2 && l.type === 'dense' ? { ...l, activation: 'linear' as const } : l)),
        },
      },
    };
    const fixed = layers(REPAIRS.reluHidden.patch(linear))!;
    expect(fixed.slice(0, 2)).toMatchObject([
      { activation: 'relu', kernelInitializer: 'heNormal', biasInitializer: 'zeros' },
      { activation: 'relu', kernelInitializer: 'heNormal', biasInitializer: 'zeros' },
    ]);
    expect(fixed[2]).toEqual(t.layers[2]);
    expect(REPAIRS.reluHidden.patch(s), 'relu already').toBeNull();
    expect(
      REPAIRS.reluHidden.patch(REPAIRS.batchNorm.patch(s)!),
      'linear dense -> batch norm -> relu is not linear',
    ).toBeNull();
  });

  it('matchOutput turns softmax over one unit into sigmoid with binaryCrossentropy, and squashing regression heads linear', () => {
    const s = fixture('dead-relu');
    const t = train(s)!;
    const broken = {
      ...s,
      model: {
        train: {
          ...t,
          layers: [
            ...t.layers.slice(0, -1),
            { type: 'dense' as const, units: 1, activation: 'softmax' as const, useBias: true, trainable: true },
          ],
        },
      },
    };
    expect(layers(REPAIRS.matchOutput.patch(broken))!.at(-1)).toMatchObject({ activation: 'sigmoid' });
    const reg = fixture('non-finite-values');
    const rt = train(reg)!;
    const squashed = {
      ...reg,
      model: {
        train: {
          ...rt,
          layers: [
            ...rt.layers.slice(0, -1),
            { type: 'dense' as const, units: 1, activation: 'sigmoid' as const, useBias: true, trainable: true },
          ],
        },
      },
    };
    expect(layers(REPAIRS.matchOutput.patch(squashed))!.at(-1)).toMatchObject({ activation: 'linear' });
  });

  it.each([
    // [what the fault benchmark injected, task, head units/activation, loss, expected head activation, expected loss]
    [
      'a regression loss on binary labels',
      'classification',
      1,
      'sigmoid',
      'meanAbsoluteError',
      'sigmoid',
      'binaryCrossentropy',
    ],
    [
      'a regression loss on 3 classes',
      'classification',
      3,
      'softmax',
      'meanSquaredError',
      'softmax',
      'categoricalCrossentropy',
    ],
    [
      'binary cross-entropy on a softmax head',
      'classification',
      3,
      'softmax',
      'binaryCrossentropy',
      'softmax',
      'categoricalCrossentropy',
    ],
    [
      'binary cross-entropy on 2 softmax units',
      'classification',
      2,
      'softmax',
      'binaryCrossentropy',
      'softmax',
      'categoricalCrossentropy',
    ],
    [
      'a cross-entropy on a regression target',
      'regression',
      1,
      'linear',
      'binaryCrossentropy',
      'linear',
      'meanSquaredError',
    ],
  ] as const)(
    'matchOutput follows the declared task: %s',
    (_what, task, units, activation, loss, wantActivation, wantLoss) => {
      const s = fixture('dead-relu');
      const t = train(s)!;
      const spec = {
        ...s,
        data: { ...s.data, task },
        model: {
          train: {
            ...t,
            loss,
            layers: [...t.layers.slice(0, -1), { type: 'dense' as const, units, activation, useBias: true }],
          },
        },
      } as Spec;
      const fixed = REPAIRS.matchOutput.patch(spec);
      expect(layers(fixed)!.at(-1)).toMatchObject({ activation: wantActivation });
      expect(train(fixed)!.loss).toBe(wantLoss);
    },
  );

  it('matchOutput leaves a multi-label head (several sigmoid units, binary cross-entropy) as it is', () => {
    const s = fixture('dead-relu');
    const t = train(s)!;
    const spec = {
      ...s,
      data: { ...s.data, task: 'classification' },
      model: {
        train: {
          ...t,
          layers: [
            ...t.layers.slice(0, -1),
            { type: 'dense' as const, units: 4, activation: 'sigmoid' as const, useBias: true },
          ],
        },
      },
    } as Spec;
    expect(REPAIRS.matchOutput.patch(spec)).toBeNull();
  });

  it('every repair of every analyzer yields a valid spec on every fixture it applies to', () => {
    let applied = 0;
    for (const name of Object.keys(fixtureExpectations())) {
      const spec = fixture(name);
      for (const repair of ALL_REPAIRS) {
        const patched = repair.patch(spec);
        if (patched === null) continue;
        applied++;
        expect(() => validateSpec(JSON.parse(JSON.stringify(patched)), `${name} + ${repair.id}`)).not.toThrow();
      }
    }
    expect(applied).toBeGreaterThan(40);
    // Each analyzer's repairs are catalogue entries (ids unique), so fix tables and fixed.yaml name them consistently.
    const ids = ALL_REPAIRS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...REPAIR_IDS].sort());
    for (const a of ANALYZERS) for (const r of a.meta.repairs ?? []) expect(REPAIR_BY_ID[r].id).toBe(r);
  });
});
