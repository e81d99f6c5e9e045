/**
 * The labelled accuracy benchmark: cases labelled by construction. Each label is true (the problem is built
 * in), false (built so it is absent), or null (no claim: a secondary effect whose presence depends on the run;
 * left out of that analyzer's confusion table). The rule behind each family is written beside it.
 */
import type { SpecInput } from '../src/config/spec-schema.js';
import { fixturesDir } from '../src/cli/fixtures.js';
import path from 'node:path';

export const TARGETS = [
  'dead-relu',
  'vanishing-gradients',
  'exploding-gradients',
  'overfitting',
  'underfitting',
  'missing-nonlinearity',
] as const;
export type Target = (typeof TARGETS)[number];
export type Labels = Record<Target, boolean | null>;

export interface BenchCase {
  id: string;
  family: string;
  spec: SpecInput;
  labels: Labels;
}

type Layer = NonNullable<Extract<SpecInput['model'], { train: unknown }>['train']['layers']>[number];
type Data = SpecInput['data'];

/** missing-nonlinearity is labelled by construction in add(): true only for the linear classifiers on non-separable data. */
const L = (
  dead: boolean | null,
  van: boolean | null,
  exp: boolean | null,
  over: boolean | null,
  under: boolean | null,
): Labels => ({
  'dead-relu': dead,
  'vanishing-gradients': van,
  'exploding-gradients': exp,
  overfitting: over,
  underfitting: under,
  'missing-nonlinearity': false,
});

const csv = (name: string, extra: Partial<Data> = {}): Data =>
  ({
    csv: path.join(fixturesDir(), 'data', `${name}.csv`),
    label: 'label',
    normalize: 'standardize',
    ...extra,
  }) as Data;
const DATASETS: Record<string, { data: Data; classes: number }> = {
  moons: { data: { generator: 'moons', samples: 800, noise: 0.2, normalize: 'standardize' }, classes: 2 },
  circles: { data: { generator: 'circles', samples: 800, noise: 0.08, normalize: 'standardize' }, classes: 2 },
  spirals: {
    data: { generator: 'spirals', samples: 900, classes: 3, noise: 0.1, normalize: 'standardize' },
    classes: 3,
  },
  blobs: { data: { generator: 'blobs', samples: 800, classes: 3, noise: 0.1, normalize: 'standardize' }, classes: 3 },
  xor: { data: { generator: 'xor', samples: 800, noise: 0.05, normalize: 'standardize' }, classes: 2 },
  iris: { data: { generator: 'iris', normalize: 'standardize', probeSize: 64 }, classes: 3 },
  'breast-cancer': { data: csv('breast-cancer', { probeSize: 128 }), classes: 2 },
  wine: { data: csv('wine', { probeSize: 64 }), classes: 3 },
};

function head(classes: number): { layer: Layer; loss: 'binaryCrossentropy' | 'categoricalCrossentropy' } {
  return classes === 2
    ? { layer: { type: 'dense', units: 1, activation: 'sigmoid' }, loss: 'binaryCrossentropy' }
    : { layer: { type: 'dense', units: classes, activation: 'softmax' }, loss: 'categoricalCrossentropy' };
}

function spec(
  data: Data,
  classes: number,
  hidden: Layer[],
  fit: {
    optimizer?: { name: 'adam' | 'sgd'; learningRate: number };
    epochs?: number;
    batchSize?: number;
    validationSplit?: number;
  } = {},
): SpecInput {
  const h = head(classes);
  return {
    seed: 7,
    data,
    model: {
      train: {
        layers: [...hidden, h.layer],
        loss: h.loss,
        metrics: ['accuracy'],
        optimizer: fit.optimizer ?? { name: 'adam', learningRate: 0.01 },
        epochs: fit.epochs ?? 30,
        batchSize: fit.batchSize ?? 32,
        validationSplit: fit.validationSplit ?? 0.25,
      },
    },
  };
}

const dense = (
  units: number,
  activation: 'relu' | 'tanh' | 'elu' | 'sigmoid' | 'linear',
  extra: Partial<Extract<Layer, { type: 'dense' }>> = {},
): Layer =>
  ({
    type: 'dense',
    units,
    activation,
    kernelInitializer: activation === 'relu' ? 'heNormal' : 'glorotUniform',
    ...extra,
  }) as Layer;
const repeat = <T>(n: number, f: (i: number) => T[]): T[] => Array.from({ length: n }, (_, i) => f(i)).flat();

/**
 * `variant` 'v2' re-draws every case with another seed (data, initial weights, shuffles) and 25% more generator noise:
 * a second held-out set, built after the analyzers changed in response to the first held-out run.
 */
export function benchCases(variant: 'v1' | 'v2' = 'v1'): BenchCase[] {
  const cases: BenchCase[] = [];
  const add = (id: string, family: string, s: SpecInput, given: Labels) => {
    // Family H's linear classifiers underfit because they are linear: that is what missing-nonlinearity names.
    const labels = { ...given, 'missing-nonlinearity': family === 'underfitting' && id.startsWith('linear-') };
    if (variant === 'v1') {
      cases.push({ id, family, spec: { ...s, name: id }, labels });
      return;
    }
    const d = s.data as { noise?: number; generator?: string };
    const data = d.generator && typeof d.noise === 'number' ? { ...s.data, noise: d.noise * 1.25 } : s.data;
    cases.push({ id: `${id}@v2`, family, spec: { ...s, data, seed: 21, name: `${id}@v2` } as SpecInput, labels });
  };

  // A. Healthy: ordinary MLPs, right-sized, standardized inputs, Adam, a modest number of epochs. Rule: nothing is
  // built in. On the three small real datasets (150-569 rows) 30 epochs can overtrain (breast cancer's validation loss
  // doubles from epoch 2 while training loss reaches 0.001), so overfitting is not claimed there either way.
  const small = new Set(['iris', 'wine', 'breast-cancer']);
  for (const [name, d] of Object.entries(DATASETS)) {
    if (name === 'xor') continue;
    for (const act of ['relu', 'tanh', 'elu'] as const) {
      for (const depth of [1, 2]) {
        const width = name === 'spirals' ? 64 : 32;
        add(
          `healthy-${name}-${act}-${depth}`,
          'healthy',
          spec(
            d.data,
            d.classes,
            repeat(depth, () => [dense(width, act)]),
            {
              epochs: name === 'spirals' ? 60 : 30,
              optimizer: { name: 'adam', learningRate: name === 'iris' || name === 'wine' ? 0.01 : 0.005 },
            },
          ),
          L(false, false, false, small.has(name) ? null : false, false),
        );
      }
    }
  }
  // B. Dead ReLU: one hidden ReLU layer starts with bias -10 on standardized inputs, so every unit outputs 0 for every
  // input. Rule: dead-relu true; the output is then constant, so underfitting true; the blocked gradient is exactly 0,
  // which vanishing-gradients leaves to dead-relu (no claim).
  for (const name of ['moons', 'circles', 'blobs', 'breast-cancer']) {
    for (const depth of [2, 4]) {
      const d = DATASETS[name]!;
      const hidden = repeat(depth, (i) => [
        dense(32, 'relu', i === depth - 1 ? { biasInitializer: { name: 'constant', value: -10 } } : {}),
      ]);
      add(
        `dead-${name}-${depth}`,
        'dead-relu',
        spec(d.data, d.classes, hidden, { epochs: 15 }),
        L(true, null, false, false, true),
      );
    }
  }
  // C. Vanishing: deep sigmoid or tanh stacks with small initial weights (normal, std 0.1 / 0.05) trained by SGD: each
  // layer scales the back-propagated signal by ~0.1-0.25. Rule: vanishing true, and they cannot fit in the epochs given.
  for (const name of ['moons', 'circles', 'blobs']) {
    for (const depth of [8, 12, 16]) {
      const d = DATASETS[name]!;
      add(
        `vanish-sigmoid-${name}-${depth}`,
        'vanishing',
        spec(
          d.data,
          d.classes,
          repeat(depth, () => [dense(16, 'sigmoid', { kernelInitializer: { name: 'randomNormal', stddev: 0.1 } })]),
          { optimizer: { name: 'sgd', learningRate: 0.1 }, epochs: 15 },
        ),
        L(false, true, false, false, true),
      );
    }
    const d = DATASETS[name]!;
    add(
      `vanish-tanh-${name}-10`,
      'vanishing',
      spec(
        d.data,
        d.classes,
        repeat(10, () => [dense(16, 'tanh', { kernelInitializer: { name: 'randomNormal', stddev: 0.05 } })]),
        { optimizer: { name: 'sgd', learningRate: 0.05 }, epochs: 15 },
      ),
      L(false, true, false, false, true),
    );
  }
  // D. Deep but well-initialized: ReLU + He with Adam keeps the gradient flowing at any of these depths. Rule: no
  // vanishing and no exploding; dead units and fit depend on the run (no claim).
  for (const name of ['moons', 'circles']) {
    for (const depth of [8, 12, 16, 20]) {
      const d = DATASETS[name]!;
      add(
        `deep-relu-${name}-${depth}`,
        'deep-healthy',
        spec(
          d.data,
          d.classes,
          repeat(depth, () => [dense(16, 'relu')]),
          { optimizer: { name: 'adam', learningRate: 0.003 }, epochs: 20 },
        ),
        L(null, false, false, null, null),
      );
    }
  }
  // E. Exploding: regression (linear output, MSE) through dense + leakyRelu layers initialized with normal std 2-3
  // (gain ~6-12 per layer), trained by Adam so the loss stays finite. A regression head passes the huge error back;
  // a sigmoid/softmax head would saturate and kill the gradient instead (a first version of this family did that).
  // Rule: exploding true; with gradients of 1e6+ the fit is not claimed either way.
  for (const noise of [0.1, 0.3]) {
    for (const depth of [5, 8]) {
      for (const std of [2, 3]) {
        const hidden = repeat(depth, () => [
          {
            type: 'dense',
            units: 16,
            activation: 'linear',
            kernelInitializer: { name: 'randomNormal', stddev: std },
          } as Layer,
          { type: 'leakyRelu', alpha: 0.3 } as Layer,
        ]);
        const s = spec({ generator: 'sine', samples: 600, noise, normalize: 'standardize' } as Data, 2, hidden, {
          optimizer: { name: 'adam', learningRate: 0.001 },
          epochs: 10,
        });
        const train = (s.model as { train: { layers: Layer[]; loss: string; metrics?: string[] } }).train;
        train.layers[train.layers.length - 1] = {
          type: 'dense',
          units: 1,
          activation: 'linear',
          kernelInitializer: { name: 'randomNormal', stddev: std },
        } as Layer;
        train.loss = 'meanSquaredError';
        delete train.metrics;
        add(`explode-sine${noise}-${depth}-std${std}`, 'exploding', s, L(null, false, true, null, null));
      }
    }
  }
  // F. Overfitting: a 256x256 ReLU net on 80 noisy training samples with 20-30% flipped labels, 150 epochs. Rule:
  // it memorizes (overfitting true) and fits its training set (underfitting false).
  for (const name of ['moons', 'circles', 'xor']) {
    for (const labelNoise of [0.2, 0.3]) {
      const data = {
        generator: name,
        samples: 160,
        noise: name === 'circles' ? 0.15 : 0.3,
        labelNoise,
        normalize: 'standardize',
      } as Data;
      add(
        `overfit-${name}-ln${labelNoise}`,
        'overfitting',
        spec(data, 2, [dense(256, 'relu'), dense(256, 'relu')], {
          optimizer: { name: 'adam', learningRate: 0.002 },
          epochs: 150,
          batchSize: 16,
          validationSplit: 0.5,
        }),
        L(null, false, false, true, false),
      );
    }
  }
  // G. The same wide net with enough data and few epochs. Rule: no overfitting, no underfitting.
  for (const name of ['moons', 'circles', 'blobs']) {
    const d = DATASETS[name]!;
    add(
      `wide-enough-${name}`,
      'overfit-negative',
      spec({ ...d.data, samples: 2000 } as Data, d.classes, [dense(256, 'relu'), dense(256, 'relu')], {
        optimizer: { name: 'adam', learningRate: 0.002 },
        epochs: 12,
      }),
      L(null, false, false, false, false),
    );
  }
  // H. Underfitting: a linear classifier on data no straight line separates (spirals, xor, circles), or an MLP whose
  // learning rate (SGD 1e-5) moves nothing in 5 epochs. Rule: underfitting true, nothing else built in.
  for (const name of ['spirals', 'xor', 'circles']) {
    const d = DATASETS[name]!;
    add(
      `linear-${name}`,
      'underfitting',
      spec(d.data, d.classes, [], { epochs: 30 }),
      L(false, false, false, false, true),
    );
  }
  for (const name of ['moons', 'blobs']) {
    const d = DATASETS[name]!;
    add(
      `tiny-lr-${name}`,
      'underfitting',
      spec(d.data, d.classes, [dense(32, 'relu')], { optimizer: { name: 'sgd', learningRate: 1e-5 }, epochs: 5 }),
      L(false, false, false, false, true),
    );
  }
  // I. A linear classifier on linearly separable data is enough. Rule: no underfitting.
  for (const name of ['blobs', 'breast-cancer', 'iris']) {
    const d = DATASETS[name]!;
    add(
      `linear-enough-${name}`,
      'underfit-negative',
      spec(d.data, d.classes, [], { epochs: 40, optimizer: { name: 'adam', learningRate: 0.02 } }),
      L(false, false, false, false, false),
    );
  }
  // J. Normalization off: the same healthy MLPs on raw generator features (moons/circles within about [-1.5, 2.5],
  // blobs within about [-10, 10]). Rule: inputs of this size do not break a He-initialized ReLU net trained by
  // Adam, so nothing is built in (unnormalized-inputs is not one of the five targets).
  for (const name of ['moons', 'circles', 'blobs']) {
    const d = DATASETS[name]!;
    add(
      `raw-${name}`,
      'normalization-off',
      spec({ ...d.data, normalize: 'none' } as Data, d.classes, [dense(32, 'relu'), dense(32, 'relu')], {
        epochs: 30,
        optimizer: { name: 'adam', learningRate: 0.005 },
      }),
      L(false, false, false, false, false),
    );
  }
  return cases;
}

/** Stable split: half the cases (by a hash of the id) tune thresholds, the other half is held out. */
export function isHeldOut(id: string): boolean {
  if (id.endsWith('@v2')) return true;
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) & 1) === 1;
}
