/**
 * Real-fault mutation cases. Each operator reproduces a fault class from Humbatova et al., "Taxonomy of Real Faults
 * in Deep Learning Systems" (ICSE 2020), named after the matching DeepCrime mutation operator (Humbatova, Jahangirova
 * & Tonella, ISSTA 2021) where there is one. One mutation at a time is applied to a healthy model; the finding ids that
 * name the fault are written here, before any run (`expect`). A case is "named at fail" when one of them fails.
 */
import type { SpecInput } from '../src/config/spec-schema.js';
import type { BenchData } from './faults-data.js';
import type { FreshSet } from './faults-data-fresh.js';
import { createRng } from '../src/util/random.js';
import { splitRows } from '../src/gather/data/prepare.js';

type Train = Extract<SpecInput['model'], { train: unknown }>['train'];
type Layer = NonNullable<Train['layers']>[number];
type Dense = Extract<Layer, { type: 'dense' }>;

export interface Operator {
  id: string;
  deepcrime: string;
  taxonomy: string;
  expect: string[];
}

const EFFECTS_OF_STEP_SIZE = [
  'learning-rate',
  'exploding-gradients',
  'oscillating-loss',
  'non-finite-values',
  'dead-relu',
  'underfitting',
];
export const OPERATORS: Operator[] = [
  {
    id: 'wrong-output-activation',
    deepcrime: 'ACH (change activation function), on the output layer',
    taxonomy: 'Model > Layers > Activation function > wrong activation',
    expect: ['output-activation', 'task-setup'],
  },
  {
    id: 'wrong-loss',
    deepcrime: 'LCH (change loss function)',
    taxonomy: 'Training > Loss function > wrong loss function',
    expect: ['task-setup', 'output-activation'],
  },
  {
    id: 'labels-head-mismatch',
    deepcrime: '- (taxonomy only)',
    taxonomy: 'Model > Layers > wrong output units / Tensors & inputs > wrong label encoding',
    expect: ['task-setup', 'output-activation'],
  },
  {
    id: 'missing-normalization',
    deepcrime: '- (taxonomy only)',
    taxonomy: 'Training > Preprocessing of training data > missing normalization',
    expect: ['unnormalized-inputs'],
  },
  {
    id: 'linear-layers-only',
    deepcrime: 'ARM (remove activation function)',
    taxonomy: 'Model > Layers > Activation function > missing activation',
    expect: ['missing-nonlinearity'],
  },
  {
    id: 'zero-initialization',
    deepcrime: 'WCI (change weights initialisation)',
    taxonomy: 'Model > Wrong weights initialisation',
    expect: ['dead-relu', 'vanishing-gradients', 'underfitting', 'saturated-activations'],
  },
  {
    id: 'huge-initialization',
    deepcrime: 'WCI (change weights initialisation)',
    taxonomy: 'Model > Wrong weights initialisation',
    expect: [
      'exploding-gradients',
      'dead-relu',
      'saturated-activations',
      'non-finite-values',
      'underfitting',
      'learning-rate',
    ],
  },
  // missing-bias added this session, after the first held-out run had shown bias removal named 1/2 (see docs/benchmarks.md).
  {
    id: 'bias-removed',
    deepcrime: 'WRB (remove bias from a layer)',
    taxonomy: 'Model > Layers > Layer properties > missing bias',
    expect: ['missing-bias', 'underfitting'],
  },
  {
    id: 'learning-rate-x100',
    deepcrime: 'HLR (change learning rate)',
    taxonomy: 'Training > Hyperparameters > suboptimal learning rate',
    expect: EFFECTS_OF_STEP_SIZE,
  },
  {
    id: 'learning-rate-div1000',
    deepcrime: 'HLR (change learning rate)',
    taxonomy: 'Training > Hyperparameters > suboptimal learning rate',
    expect: ['learning-rate', 'underfitting'],
  },
  {
    id: 'wrong-optimizer-settings',
    deepcrime: 'OCH (change optimisation function)',
    taxonomy: 'Training > Optimiser > wrong optimiser / settings',
    expect: EFFECTS_OF_STEP_SIZE,
  },
  {
    id: 'too-few-epochs',
    deepcrime: 'HNE (change number of epochs)',
    taxonomy: 'Training > Hyperparameters > wrong number of epochs',
    expect: ['underfitting'],
  },
  {
    id: 'small-batch-high-momentum',
    deepcrime: 'HBS (change batch size) with OCH',
    taxonomy: 'Training > Hyperparameters > wrong batch size',
    expect: EFFECTS_OF_STEP_SIZE,
  },
  // label-noise (the analyzer) added after set 7 had been run: its label-noise cases on iris and digits warned through
  // underfitting while the model answered its training rows 23-26 points less often than the validation rows.
  {
    id: 'label-noise',
    deepcrime: 'TCL (change labels of training data)',
    taxonomy: 'Training > Training data quality > wrong labels',
    expect: ['label-noise', 'overfitting', 'underfitting'],
  },
  // class-imbalance added this session, after its tuning-half cases had been seen to change training unnamed (see docs/benchmarks.md).
  {
    id: 'class-imbalance',
    deepcrime: 'TUD (unbalance training data)',
    taxonomy: 'Training > Training data quality > unbalanced training data',
    expect: ['class-imbalance', 'underfitting'],
  },
  // dropout-rate added after set 5 had been run (its dropout-0.9 cases on moons ended at 82-84% of the constant
  // predictor's loss: underfitting warned and nothing named the rate); set 6 is the first set run with it.
  {
    id: 'dropout-0.9',
    deepcrime: 'RCD (change dropout rate)',
    taxonomy: 'Model > Layers > Dropout > wrong rate',
    expect: ['dropout-rate', 'underfitting'],
  },
  // Labelled before the first run: frozen-layers names the setting itself; a net whose hidden layers keep random weights
  // is a random-features model, so underfitting names the effect where it shows. A spec with every layer frozen is
  // refused before training (exit 2, counted as named): tfjs cannot fit a model with no trainable weight.
  {
    id: 'frozen-layers',
    deepcrime: '- (issue #10 list)',
    taxonomy: 'Model > Layers > Layer properties > layer left untrainable',
    expect: ['frozen-layers', 'underfitting'],
  },
];

export interface FaultCase {
  id: string;
  operator: string | null;
  dataset: string;
  task: BenchData['task'];
  spec: SpecInput;
  expect: string[];
}

const dense = (units: number, activation: Dense['activation'], extra: Partial<Dense> = {}): Layer =>
  ({
    type: 'dense',
    units,
    activation,
    kernelInitializer: activation === 'relu' ? 'heNormal' : 'glorotUniform',
    ...extra,
  }) as Layer;

interface Base {
  hidden: Layer[];
  head: Layer;
  loss: Train['loss'];
  epochs: number;
  lr: number;
}

function base(d: BenchData): Base {
  const width = d.name === 'spirals' ? 64 : 32;
  const hidden = [dense(width, 'relu'), dense(width, 'relu')];
  if (d.task === 'regression')
    return { hidden, head: dense(1, 'linear'), loss: 'meanSquaredError', epochs: 25, lr: 0.01 };
  const binary = d.classes === 2;
  return {
    hidden,
    head: binary ? dense(1, 'sigmoid') : dense(d.classes, 'softmax'),
    loss: binary ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    epochs: d.name === 'spirals' ? 40 : d.name === 'digits' ? 12 : d.name === 'breast-cancer' ? 8 : 20,
    // churn: at 0.01 the clean model overfits by epoch 7 (validation loss +13%, underfitting's still-falling probe
    // loss fails seed 2); at 0.003 both seeds end at validation accuracy 0.83-0.85 (chance 0.80) with no fail.
    // breast cancer and wine, changed before the fifth set: at 0.01 for 20 epochs these clean models really overfit on
    // some seeds, and sets 2-4 counted that as 5 false fails (breast cancer seed 6: validation loss 0.15 -> 0.39 while
    // the training loss fell to 0.0005; wine seed 3: 0.31 -> 0.57, validation accuracy 0.92 -> 0.87). A clean model
    // must be one a careful user would keep. Chosen on sets 1-4's 16 clean seeds, none of set 5's: at 0.003 breast
    // cancer still overfits by epoch 12 on seed 6 and stops cleanly at 8 (validation skill 0.83-0.98 on all eight
    // seeds, no finding); wine at 0.003 for 20 epochs leaves one overfitting warn.
    lr: ['digits', 'churn', 'breast-cancer', 'wine'].includes(d.name) ? 0.003 : 0.01,
  };
}

interface Rows {
  x: number[][];
  y: number[];
}
/** trainRows: a data mutation applied to the training rows only (trainOnly). */
interface Build {
  hidden?: Layer[];
  head?: Layer;
  loss?: Train['loss'];
  optimizer?: Train['optimizer'];
  epochs?: number;
  batchSize?: number;
  normalize?: 'none' | 'standardize';
  trainRows?: (train: Rows) => Rows;
}

const VALIDATION_SPLIT = 0.25;

function make(d: BenchData, seed: number, b: Base, over: Build = {}): SpecInput {
  const data = over.trainRows
    ? trainOnly(d, seed, over.trainRows)
    : { x: d.x, y: d.y, validationSplit: VALIDATION_SPLIT };
  return {
    seed,
    data: { json: { x: data.x, y: data.y }, task: d.task, normalize: over.normalize ?? 'standardize', probeSize: 64 },
    model: {
      train: {
        layers: [...(over.hidden ?? b.hidden), over.head ?? b.head],
        loss: over.loss ?? b.loss,
        metrics: d.task === 'classification' ? ['accuracy'] : [],
        optimizer: over.optimizer ?? { name: 'adam', learningRate: b.lr },
        epochs: over.epochs ?? b.epochs,
        batchSize: over.batchSize ?? 32,
        validationSplit: data.validationSplit,
      },
    },
  };
}

/**
 * A data mutation (wrong labels, unbalanced classes) applied to the training rows only, as DeepCrime's TCL and TUD
 * mutate the training data and judge the mutant on the untouched test set. The validation rows stay exactly those of
 * the clean model with the same seed (same rows, same order), and the mutated training rows keep their order: the rows
 * are laid out so that gather's own seeded split (splitRows) puts each where it belongs, with the validation split set
 * to the validation rows' share. (Sets 1-6 mutated every row before the split: a class cut to 5% kept 0-5 validation
 * rows, too few to judge, and label noise corrupted the rows the mutant was judged on.)
 */
export function trainOnly(
  d: BenchData,
  seed: number,
  mutate: (train: Rows) => Rows,
): Rows & { validationSplit: number } {
  const clean = splitRows(d.y.length, VALIDATION_SPLIT, seed);
  const train = mutate({ x: clean.train.map((i) => d.x[i]!), y: clean.train.map((i) => d.y[i]!) });
  const n = clean.validation.length + train.y.length;
  const validationSplit = clean.validation.length / n;
  const placed = splitRows(n, validationSplit, seed);
  if (placed.validation.length !== clean.validation.length)
    throw new Error(`trainOnly: ${placed.validation.length} validation rows placed, not ${clean.validation.length}`);
  const x: number[][] = new Array<number[]>(n);
  const y: number[] = new Array<number>(n);
  placed.validation.forEach((at, j) => {
    x[at] = d.x[clean.validation[j]!]!;
    y[at] = d.y[clean.validation[j]!]!;
  });
  placed.train.forEach((at, j) => {
    x[at] = train.x[j]!;
    y[at] = train.y[j]!;
  });
  return { x, y, validationSplit };
}

const withAct = (layers: Layer[], f: (l: Dense) => Partial<Dense>): Layer[] =>
  layers.map((l) => (l.type === 'dense' ? ({ ...l, ...f(l) } as Layer) : l));

/** Mutated variants of one dataset's healthy model, per operator (regression skips class-only operators). */
function mutations(d: BenchData, b: Base, mutationSeed: number): Record<string, Build[]> {
  const cls = d.task === 'classification';
  const binary = d.classes === 2;
  const head = (units: number, activation: Dense['activation']) => dense(units, activation);
  const m: Record<string, Build[]> = {
    'wrong-output-activation': !cls
      ? [{ head: head(1, 'sigmoid') }, { head: head(1, 'relu') }]
      : binary
        ? [{ head: head(1, 'softmax') }, { head: head(1, 'relu') }]
        : [{ head: head(d.classes, 'sigmoid') }, { head: head(d.classes, 'linear') }],
    'wrong-loss': !cls
      ? [{ loss: 'binaryCrossentropy' }]
      : binary
        ? [{ loss: 'meanAbsoluteError' }, { loss: 'meanSquaredError', head: head(2, 'softmax') }]
        : [{ loss: 'meanSquaredError' }, { loss: 'binaryCrossentropy' }],
    'labels-head-mismatch': !cls
      ? []
      : binary
        ? [{ loss: 'binaryCrossentropy', head: head(2, 'softmax') }]
        : [
            { loss: 'binaryCrossentropy', head: head(1, 'sigmoid') },
            { loss: 'sparseCategoricalCrossentropy', head: head(d.classes - 1, 'softmax') },
          ],
    'missing-normalization': d.rawScale > 10 ? [{ normalize: 'none' }] : [],
    'linear-layers-only': [{ hidden: withAct(b.hidden, () => ({ activation: 'linear' })) }],
    'zero-initialization': [{ hidden: withAct(b.hidden, () => ({ kernelInitializer: 'zeros' })) }],
    'huge-initialization': [
      { hidden: withAct(b.hidden, () => ({ kernelInitializer: { name: 'randomNormal', stddev: 20 } })) },
    ],
    'bias-removed': [
      {
        hidden: withAct(b.hidden, () => ({ useBias: false })),
        head: { ...(b.head as Dense), useBias: false } as Layer,
      },
    ],
    'learning-rate-x100': [{ optimizer: { name: 'adam', learningRate: b.lr * 100 } }],
    'learning-rate-div1000': [{ optimizer: { name: 'adam', learningRate: b.lr / 1000 } }],
    'wrong-optimizer-settings': [
      { optimizer: { name: 'sgd', learningRate: 1e-4 } },
      { optimizer: { name: 'momentum', learningRate: 0.5, momentum: 0.99 } },
    ],
    // DeepCrime's HNE changes the epoch count alone. (The first form also switched to SGD at 0.01, a second mutation
    // that diverged on the diabetes targets.)
    'too-few-epochs': [{ epochs: 1 }],
    'small-batch-high-momentum': [
      { batchSize: 2, epochs: 2, optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.99 } },
    ],
    // Data mutations change the training rows only (trainOnly), each with its own draws.
    'label-noise': cls ? [{ trainRows: labelNoise(d.classes, createRng(mutationSeed + 1)) }] : [],
    'class-imbalance': cls ? [{ trainRows: imbalance(createRng(mutationSeed + 2)) }] : [],
    'dropout-0.9': [{ hidden: b.hidden.flatMap((l) => [l, { type: 'dropout', rate: 0.9 } as Layer]) }],
    // v0: the hidden layers frozen at their initialization, the head trains; v1: the first hidden layer only; v2: every layer.
    'frozen-layers': [
      { hidden: withAct(b.hidden, () => ({ trainable: false })) },
      { hidden: withAct(b.hidden, (l) => (l === b.hidden[0] ? { trainable: false } : {})) },
      {
        hidden: withAct(b.hidden, () => ({ trainable: false })),
        head: { ...(b.head as Dense), trainable: false } as Layer,
      },
    ],
  };
  return m;
}

/** Keeps every training row of class 0 and 5% of the others (DeepCrime's TUD keeps a small share of the minority classes). */
function imbalance(rng: () => number): (train: Rows) => Rows {
  return ({ x, y }) => {
    const keep = y.map((v) => v === 0 || rng() < 0.05);
    return { x: x.filter((_, i) => keep[i]), y: y.filter((_, i) => keep[i]) };
  };
}

/** Gives 40% of the training rows another class, drawn uniformly (DeepCrime's TCL). */
function labelNoise(classes: number, rng: () => number): (train: Rows) => Rows {
  return ({ x, y }) => ({
    x,
    y: y.map((v) => (rng() < 0.4 ? (v + 1 + Math.floor(rng() * (classes - 1))) % classes : v)),
  });
}

/** The seeds of one set of cases: the clean models' training seeds (the first is the reference), the mutated models'. */
export interface CaseSeeds {
  clean: number[];
  mutated: number;
  mutation: number;
}
/**
 * Every set's seeds, by set number (`npm run bench:faults -- --set N`). The first set's cases split into a tuning and a
 * held-out half by id; every later set is all held out, was written after the one before it had been run, and uses
 * seeds no other set uses (a test checks).
 */
export const SET_SEEDS: Record<1 | FreshSet, CaseSeeds> = {
  1: { clean: [1, 2], mutated: 1, mutation: 11 },
  2: { clean: [3, 4], mutated: 3, mutation: 23 },
  3: { clean: [5, 6], mutated: 5, mutation: 37 },
  4: { clean: [7, 8], mutated: 7, mutation: 53 },
  5: { clean: [9, 10], mutated: 9, mutation: 71 },
  6: { clean: [11, 12], mutated: 11, mutation: 89 },
  7: { clean: [13, 14], mutated: 13, mutation: 107 },
  8: { clean: [15, 16], mutated: 15, mutation: 131 },
  9: { clean: [17, 18], mutated: 17, mutation: 151 },
  10: { clean: [19, 20], mutated: 19, mutation: 173 },
  11: { clean: [21, 22], mutated: 21, mutation: 193 },
  12: { clean: [23, 24], mutated: 23, mutation: 223 },
  13: { clean: [25, 26], mutated: 25, mutation: 239 },
  14: { clean: [27, 28], mutated: 27, mutation: 263 },
};
/** The first set's seeds (the default of faultCases). */
export const SET1_SEEDS: CaseSeeds = SET_SEEDS[1];

/** Every case: the clean models (two seeds per dataset) and one case per mutation variant and dataset. */
export function faultCases(datasets: BenchData[], seeds: CaseSeeds = SET1_SEEDS): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const d of datasets) {
    const b = base(d);
    for (const seed of seeds.clean)
      cases.push({
        id: `clean/${d.name}/s${seed}`,
        operator: null,
        dataset: d.name,
        task: d.task,
        spec: make(d, seed, b),
        expect: [],
      });
    const muts = mutations(d, b, seeds.mutation);
    for (const op of OPERATORS) {
      (muts[op.id] ?? []).forEach((build, i) => {
        cases.push({
          id: `${op.id}/${d.name}/v${i}`,
          operator: op.id,
          dataset: d.name,
          task: d.task,
          spec: make(d, seeds.mutated, b, build),
          expect: op.expect,
        });
      });
    }
  }
  return cases;
}

/** Stable split by a hash of the id (FNV-1a, as bench/accuracy-cases.ts): half tunes, half is held out. */
export function isHeldOut(id: string): boolean {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) & 1) === 1;
}
