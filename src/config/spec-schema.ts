import { z } from 'zod';
import { AGGREGATES, PRESET_NAMES } from '../result/vocabulary.js';
import { assertionSchema, type AssertionSpec } from '../gate/assertion-schema.js';
import { layerSchema, positiveInt } from './layer-schema.js';

export * from './layer-schema.js';

export const LOSSES = [
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
] as const;
export const lossSchema = z.enum(LOSSES);
export type LossName = z.infer<typeof lossSchema>;

export const optimizerSchema = z.strictObject({
  name: z.enum(['sgd', 'momentum', 'adam', 'adamax', 'rmsprop', 'adagrad', 'adadelta']).default('adam'),
  learningRate: z.number().positive().default(0.001),
  momentum: z.number().min(0).lt(1).optional(),
  /** Clip each gradient tensor to this L2 norm before the step (Keras clipnorm): a repair for exploding gradients. */
  clipnorm: z.number().positive().optional(),
});
export type OptimizerSpec = z.infer<typeof optimizerSchema>;

const metricSchema = z.enum(['accuracy', 'mae', 'mse']);
export type MetricName = z.infer<typeof metricSchema>;

/** Training settings shared by built and loaded models. */
const fitFields = {
  optimizer: optimizerSchema.default({ name: 'adam', learningRate: 0.001 }),
  metrics: z.array(metricSchema).optional(),
  batchSize: positiveInt.default(32),
  /**
   * The loss takes the model's raw outputs (logits), as PyTorch's CrossEntropyLoss / BCEWithLogitsLoss and Keras'
   * from_logits=True do. Unset on a loaded model: taken from the file, else detected (a classifier whose graph ends
   * without softmax/sigmoid is a logits model). Unset on a built one: false.
   */
  fromLogits: z.boolean().optional(),
  validationSplit: z.number().min(0).lt(1).default(0.2),
};

export const trainModelSchema = z.strictObject({
  ...fitFields,
  layers: z
    .array(layerSchema)
    .min(1)
    .superRefine((layers, ctx) => {
      // tfjs refuses to fit a model with no trainable weights (a bare "variableGrads()" error): say it here, by field.
      const weighted = layers.filter((l) => 'trainable' in l);
      if (weighted.length > 0 && weighted.every((l) => !l.trainable)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `every layer with weights has trainable: false (${weighted.length} of them), so training would change nothing: ` +
            'set trainable: true (the default) on the layers to train, or audit a saved model with model.load and epochs: 0',
        });
      }
    }),
  inputShape: z.array(positiveInt).min(1).optional(),
  loss: lossSchema,
  epochs: positiveInt.max(10_000).default(20),
});

export const loadModelSchema = z.strictObject({
  ...fitFields,
  path: z.string().min(1),
  /** Used when model.json carries no training config. */
  loss: lossSchema.optional(),
  /** 0: audit the weights as saved; N: train the loaded model N more epochs first. */
  epochs: z.number().int().min(0).max(10_000).default(0),
  /** A training log: Keras history dict JSON or CSVLogger CSV, PyTorch Lightning metrics.csv, Hugging Face trainer_state.json (told apart by content). */
  history: z.string().min(1).optional(),
  /** For a weights-only Keras .h5: the architecture JSON from model.to_json(). */
  architecture: z.string().min(1).optional(),
});

export const modelSchema = z.union([
  z.strictObject({ train: trainModelSchema }),
  z.strictObject({ load: loadModelSchema }),
]);

export const GENERATORS = ['moons', 'circles', 'spirals', 'xor', 'blobs', 'sine', 'iris', 'bars'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

const commonData = {
  /** Probe subset used for activations and gradients (taken from the validation part, else training). */
  probeSize: positiveInt.max(4096).default(256),
  /**
   * Probe gradients every N epochs. auto: every epoch while a probe costs under 5% of an epoch
   * (probeSize <= 5% of the training rows), else sparser; never more than 20 probes per run.
   */
  probeEvery: z.union([z.literal('auto'), positiveInt]).default('auto'),
  /** standardize: zero mean, unit variance per feature (from training statistics). */
  normalize: z.enum(['none', 'standardize', 'minmax']).default('none'),
  /** Cap on rows used, after shuffling. */
  limit: positiveInt.optional(),
};

const task = z.enum(['classification', 'regression']).optional();
const fileName = z.string().min(1);
/** Several label columns: k targets (regression), k 0/1 labels (multi-label), or one-hot columns of one class label. */
const labelColumns = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
/** How several label columns are read; auto: one-hot when every row has exactly one 1, multi-label when all 0/1, else targets. */
const labelKind = z.enum(['auto', 'one-hot', 'multi-label', 'targets']).default('auto');
const imageShape = z.array(positiveInt).min(1).max(4);
/** A categorical feature column: one-hot (default), or ordinal codes 0..k-1 in sorted order (scikit-learn's LabelEncoder). */
const categoricalColumn = z.union([
  z.string().min(1),
  z.strictObject({ column: z.string().min(1), encode: z.enum(['one-hot', 'ordinal']) }),
]);
export type CategoricalColumn = z.infer<typeof categoricalColumn>;
/** Options of the column-based sources (CSV, JSON records). */
const tableFields = {
  label: labelColumns,
  labelKind,
  /** Feature columns, in the order the model expects (default: every column that is not a label or excluded). */
  features: z.array(z.string().min(1)).min(1).optional(),
  /** Columns to ignore (ids, names). */
  exclude: z.array(z.string().min(1)).optional(),
  categorical: z.array(categoricalColumn).optional(),
  /** Reshape each flat row into this shape, e.g. [28, 28, 1]. */
  shape: imageShape.optional(),
  task,
};
/**
 * Pixel scaling of image-like sources: x' = (x * rescale + offset - mean) / std. With rescale 1/255 and mean/std per
 * channel this is torchvision's ToTensor() + Normalize(mean, std); rescale and offset alone are Keras' Rescaling.
 */
const pixelFields = {
  /** Multiplies every value (pixels are 0..255), e.g. 0.00392156862745098 for Keras' rescale=1./255 or torchvision's ToTensor(). */
  rescale: z.number().positive().default(1),
  /** Added after rescale, as Keras' Rescaling(scale, offset) layer: rescale 1/255 with offset -0.5 gives [-0.5, 0.5]. */
  offset: z.number().default(0),
  /** Subtracted after rescale and offset: one value, or one per channel (torchvision's Normalize mean). */
  mean: z.union([z.number(), z.array(z.number()).min(1).max(4)]).optional(),
  /** Divides last: one value, or one per channel (torchvision's Normalize std). */
  std: z.union([z.number().positive(), z.array(z.number().positive()).min(1).max(4)]).optional(),
};

/** Refuses to read more rows than this (a guard against an unexpectedly huge file); raise it for big data. */
const maxRows = positiveInt.default(1_000_000);

export const dataSchema = z.union([
  z.strictObject({
    ...commonData,
    generator: z.enum(GENERATORS),
    samples: positiveInt.max(1_000_000).default(600),
    noise: z.number().min(0).default(0.1),
    classes: z.number().int().min(2).max(50).default(3),
    /** Multiplies every feature: used to build unnormalized-input cases. */
    scale: z.number().positive().default(1),
    /** Fraction of training labels replaced with random ones. */
    labelNoise: z.number().min(0).max(1).default(0),
    /** bars: image side in pixels. */
    imageSize: z.number().int().min(4).max(64).default(8),
  }),
  z.strictObject({ ...commonData, ...tableFields, maxRows, csv: fileName }),
  z.strictObject({
    ...commonData,
    maxRows,
    /** A file or inline {x, y}; a file may also hold an array of records (objects), read like CSV rows with `label`. */
    json: z.union([
      fileName,
      z.strictObject({
        x: z.array(z.array(z.number())).min(1),
        y: z.array(z.union([z.number(), z.array(z.number())])).min(1),
      }),
    ]),
    ...tableFields,
    label: labelColumns.optional(),
  }),
  z.strictObject({
    ...commonData,
    maxRows,
    /** A folder with one subfolder of PNG/JPEG images per class (Keras image_dataset_from_directory). */
    images: fileName,
    /** Class folder names in class-id order (default: sorted folder names, as Keras does). */
    classes: z.array(z.string().min(1)).min(1).optional(),
    ...pixelFields,
    /** [height, width, channels] to resize to when the model does not say (a model built from layers). */
    size: z.tuple([positiveInt, positiveInt, z.union([z.literal(1), z.literal(3), z.literal(4)])]).optional(),
  }),
  z.strictObject({
    ...commonData,
    maxRows,
    npy: z.strictObject({ x: fileName, y: fileName }),
    labelKind,
    task,
    ...pixelFields,
  }),
  z.strictObject({
    ...commonData,
    maxRows,
    npz: fileName,
    /** Array names inside the .npz (default x and y, else x_train and y_train). */
    arrays: z.strictObject({ x: z.string().min(1), y: z.string().min(1) }).optional(),
    labelKind,
    task,
    ...pixelFields,
  }),
  z.strictObject({
    ...commonData,
    maxRows,
    idx: z.strictObject({ images: fileName, labels: fileName }),
    ...pixelFields,
    task,
  }),
]);
export type DataSpec = z.infer<typeof dataSchema>;

export { assertionSchema, type AssertionSpec };

export { AGGREGATES };
export const gateSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES).default('recommended'),
  /** With seeds > 1: which run's finding each analyzer reports (median score, worst, best). */
  aggregate: z.enum(AGGREGATES).default('median'),
  assertions: z.record(z.string(), assertionSchema).default({}),
  /** Stop training once a fail-level finding that can be judged early has held for its analyzer's number of probes. */
  failFast: z.boolean().optional(),
});

/**
 * Resource limits of one audit (see src/policy/limits.ts for the defaults). Each key means the same on the CLI
 * (`audit`, `gather`: src/cli/run-limits.ts) and under a queue worker (src/queue/processors/job-guard.ts); on the CLI
 * they replace the defaults, under a worker they can only tighten the worker's own limits.
 */
export const limitsSchema = z.strictObject({
  /** Wall-clock seconds for the whole audit; training stops at its next epoch, exit 2 (queue workers: also NNAUDIT_JOB_TIMEOUT_S). */
  timeoutSeconds: positiveInt.max(7 * 24 * 3600).optional(),
  /** Resident memory (RSS) of the process running the audit, MiB, watched in-process (queue workers: also NNAUDIT_JOB_MEMORY_MB). */
  memoryMb: positiveInt.min(128).optional(),
  /** Units (dense) or filters (conv) of any one layer. */
  maxUnits: positiveInt.optional(),
  /** Trainable and non-trainable parameters of the model. */
  maxParams: positiveInt.optional(),
  /** Bytes of any one file or URL read (model, shard, data, history). */
  maxInputBytes: positiveInt.optional(),
  /** Rows of the dataset. */
  maxRows: positiveInt.optional(),
});
export type LimitsSpec = z.infer<typeof limitsSchema>;

export const specSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(42),
  model: modelSchema,
  data: dataSchema,
  /** false disables an analyzer; an object overrides its thresholds. */
  analyzers: z.record(z.string(), z.union([z.literal(false), z.record(z.string(), z.number())])).default({}),
  gate: gateSchema.default({ preset: 'recommended', aggregate: 'median', assertions: {} }),
  /** Train this many times (seeds seed, seed+1, ...) and aggregate: some problems appear in only part of the runs. */
  seeds: z.number().int().min(1).max(50).default(1),
  limits: limitsSchema.optional(),
});

export type SpecInput = z.input<typeof specSchema>;
export type Spec = z.infer<typeof specSchema>;
export type TrainModelSpec = z.infer<typeof trainModelSchema>;
export type LoadModelSpec = z.infer<typeof loadModelSchema>;
