import { z } from 'zod';
import { maybeNum, num } from './schema-numbers.js';
import { linearFitSchema, neighbourFitSchema, targetSummarySchema, validationVoteSchema } from './reference-schema.js';

export * from './reference-schema.js';

/**
 * The artifact document: everything gather measured, as plain JSON. Analyzers read only this.
 * Another framework can produce it too; `artifactsVersion` changes when a field changes meaning.
 */
export const ARTIFACTS_VERSION = 1;

export const histogramSchema = z.object({
  /** Bin edges, length counts.length + 1. */
  edges: z.array(num),
  counts: z.array(num),
});
export type Histogram = z.infer<typeof histogramSchema>;

export const statsSchema = z.object({
  count: num,
  mean: maybeNum,
  std: maybeNum,
  min: maybeNum,
  max: maybeNum,
  /** Count of NaN and +-Infinity values. */
  nonFinite: num,
});
export type Stats = z.infer<typeof statsSchema>;

export const layerInfoSchema = z.object({
  name: z.string(),
  className: z.string(),
  /** The layer's activation function, or null when it has none. */
  activation: z.string().nullable(),
  outputShape: z.array(z.number().nullable()),
  params: num,
  /** Names of the layers feeding this one. */
  inputs: z.array(z.string()),
  units: z.number().nullable(),
  /** false when the layer's weights are frozen (Keras/tfjs layer.trainable); absent in artifacts written before it was recorded. */
  trainable: z.boolean().optional(),
  /**
   * Whether the layer adds a learned constant: a bias (Dense/Conv useBias) or a normalization offset (BatchNormalization
   * center); null for layers that have neither setting; absent in artifacts written before it was recorded.
   */
  bias: z.boolean().nullable().optional(),
  /** The share of inputs a dropout layer drops while training (Keras `rate`); null for other layers; absent in artifacts written before it was recorded. */
  dropoutRate: z.number().nullable().optional(),
});
export type LayerInfo = z.infer<typeof layerInfoSchema>;

export const modelInfoSchema = z.object({
  name: z.string(),
  source: z.enum(['trained', 'loaded', 'callback']),
  location: z.string().nullable(),
  inputShape: z.array(z.number().nullable()),
  outputShape: z.array(z.number().nullable()),
  params: num,
  trainableParams: num,
  layers: z.array(layerInfoSchema),
  graph: z.object({
    nodes: z.array(z.object({ id: z.string(), className: z.string() })),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
  }),
  loss: z.string().nullable(),
  optimizer: z.object({ name: z.string(), learningRate: num }).nullable(),
  /**
   * The loss was computed from the model's raw outputs (logits: PyTorch's CrossEntropyLoss/BCEWithLogitsLoss, Keras
   * from_logits=True), and who said so: the spec or a flag, the saved file's loss, the graph (a loaded classifier
   * ending without softmax/sigmoid), or nobody (probabilities). Absent in artifacts written before it was recorded.
   */
  fromLogits: z.boolean().optional(),
  fromLogitsSource: z.enum(['stated', 'saved', 'detected', 'default']).optional(),
  /** How an image input is laid out per sample: channelsFirst [C, H, W] (PyTorch) or channelsLast [H, W, C]. Absent before recorded. */
  inputLayout: z.enum(['channelsFirst', 'channelsLast']).optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const dataInfoSchema = z.object({
  source: z.string(),
  task: z.enum(['classification', 'regression']),
  numClasses: num,
  trainSize: num,
  validationSize: num,
  probeSize: num,
  normalize: z.string(),
  /** Raw feature range before normalization. */
  featureRange: z.object({ min: num, max: num, meanAbs: num }),
  /** Accuracy of always predicting the most frequent training class (classification). */
  chanceAccuracy: z.number().nullable(),
  /** Loss of the best constant predictor on the training labels: class-prior entropy or label variance. */
  trivialLoss: z.number().nullable(),
  /** Summary of the encoded training targets; absent in artifacts written before it existed. */
  targetSummary: targetSummarySchema.optional(),
  /** A linear model's fit of the same rows; absent in artifacts written before it existed, and from a callback without a fit. */
  linearFit: linearFitSchema.optional(),
  /** A neighbour vote on the training rows, paired with the network's answers; absent before it was recorded, from the callback without baseline rows, and for a model audited as saved. */
  neighbourFit: neighbourFitSchema.optional(),
  /** The validation rows' vote on the training labels; absent before it was recorded, without a validation split, and for a model audited as saved. */
  validationVote: validationVoteSchema.optional(),
  /** Values per target row: 1 when absent (a class id or one value), k targets, or k labels (multi-label). */
  targets: num.optional(),
  /** Class names in class-id order and how the order was chosen (images: sorted folder names unless data.classes). */
  classes: z.object({ names: z.array(z.string()), order: z.string() }).optional(),
  /**
   * The name of each model input (a flat feature vector), as the data gave them: CSV columns, one-hot columns as
   * "Geography=France". Absent when the data names none, for image inputs, past MAX_FEATURE_NAMES, and before recorded.
   */
  featureNames: z.array(z.string()).optional(),
});
/** Wider inputs than this record no feature names (the report labels inputs only when it draws them all). */
export const MAX_FEATURE_NAMES = 256;
export type DataInfo = z.infer<typeof dataInfoSchema>;

/** Keras-style history: `loss`, `val_loss`, `accuracy`, `val_accuracy`... one value per epoch. */
export const historySchema = z.object({
  epochs: z.array(num),
  series: z.record(z.string(), z.array(maybeNum)),
});
export type History = z.infer<typeof historySchema>;

export const layerGradientSchema = z.object({
  layer: z.string(),
  /**
   * L2 norm and mean |g| of d(mean probe loss)/d(kernel); null where the layer has no kernel.
   * The loss is the model's loss averaged over the probe set, computed in inference mode (no dropout).
   */
  kernelNorm: maybeNum,
  kernelMeanAbs: maybeNum,
  biasNorm: maybeNum,
  biasMeanAbs: maybeNum,
  /** d(mean probe loss)/d(layer output): the back-propagated signal reaching this layer. */
  outputNorm: maybeNum,
  outputMeanAbs: maybeNum,
  nonFinite: num,
});
export type LayerGradient = z.infer<typeof layerGradientSchema>;

export const gradientEpochSchema = z.object({
  /** 0 = before training, k = after epoch k. */
  epoch: num,
  loss: maybeNum,
  layers: z.array(layerGradientSchema),
});
export type GradientEpoch = z.infer<typeof gradientEpochSchema>;

export const weightStatSchema = z.object({
  layer: z.string(),
  weight: z.string(),
  shape: z.array(num),
  stats: statsSchema,
  histogram: histogramSchema.nullable(),
  /**
   * ||W after the next optimizer step - W|| / ||W||: the relative size of one update, measured on the first step
   * after this probe. null for the last probe, biases of zero norm, and models audited without training.
   */
  updateRatio: z.number().nullable().default(null),
  /**
   * Every value of a small 2-D kernel (row-major [inputs, units], 4 significant digits), recorded with the
   * histograms when both sides are at most MAX_KERNEL_SIDE: lets the report draw each connection by its weight.
   */
  values: z.array(maybeNum).optional(),
  /**
   * A Dense kernel too wide to keep whole (a side over MAX_KERNEL_SIDE, at most MAX_STRONGEST_UNITS units): per unit
   * its k strongest inputs by |weight|, strongest first, recorded at the last probe with histograms only (the one
   * the report draws). `inputs[j * k + m]` is the
   * input row of unit j's m-th strongest connection and `values[j * k + m]` its weight (4 significant digits).
   * Lets the report draw a wide layer's strongest connections; absent in artifacts written before it existed.
   */
  strongest: z.object({ k: num, inputs: z.array(num), values: z.array(maybeNum) }).optional(),
});
/** Kernels up to this many inputs and units keep their values (64 x 64 = 4,096 numbers per probe at most). */
export const MAX_KERNEL_SIDE = 64;
/** Strongest inputs kept per unit of a wider Dense kernel: the report draws at most this many per unit. */
export const STRONGEST_K = 4;
/** Wider Dense layers than this record no strongest inputs (1,024 x 4 x 2 = 8,192 numbers per probe at most). */
export const MAX_STRONGEST_UNITS = 1024;
export const weightEpochSchema = z.object({ epoch: num, weights: z.array(weightStatSchema) });
export type WeightEpoch = z.infer<typeof weightEpochSchema>;

export const layerActivationSchema = z.object({
  layer: z.string(),
  activation: z.string().nullable(),
  stats: statsSchema,
  histogram: histogramSchema.nullable(),
  /** Pre-activation (z) statistics, for layers with a non-linear activation. */
  preActivation: z.object({ stats: statsSchema, histogram: histogramSchema.nullable() }).nullable(),
  /** Per unit (last axis): fraction of probe values where the output is <= 0. */
  unitNonPositiveFraction: z.array(num),
  /** Per unit: fraction of probe values where |pre-activation| >= 5; null without a pre-activation. */
  unitSaturatedFraction: z.array(num).nullable(),
  /** Per unit: output spread across probe samples (std); 0 = a constant unit. */
  unitStd: z.array(num),
});
export type LayerActivation = z.infer<typeof layerActivationSchema>;

export const activationEpochSchema = z.object({ epoch: num, layers: z.array(layerActivationSchema) });
export type ActivationEpoch = z.infer<typeof activationEpochSchema>;

/** Where fail-fast stopped training, and why (absent when the run trained every epoch it planned). */
export const stoppedEarlySchema = z.object({
  epoch: num,
  epochs: num,
  /** The analyzer whose fail-level finding held for its number of probes. */
  analyzer: z.string(),
  reason: z.string(),
});
export type StoppedEarly = z.infer<typeof stoppedEarlySchema>;

/**
 * The model's own loss and compiled metrics on the evaluation rows: the validation split, or every row when there is
 * none (a loaded model audited as saved with validationSplit 0). Measured after training, or as loaded.
 */
export const evaluationSchema = z.object({
  rows: num,
  on: z.enum(['validation', 'all rows']),
  loss: maybeNum,
  /** accuracy, mse, mae... as compiled (accuracy by default for classification); null when not finite. */
  metrics: z.record(z.string(), maybeNum),
  /** Single-label classification: recall of each class id on these rows (null: no row of that class); absent otherwise. */
  classRecall: z.array(maybeNum).optional(),
  /**
   * Rows of each class id among these rows, beside classRecall (a recall of 0 on 1 row is no evidence); absent in
   * documents from before it was recorded.
   */
  classCounts: z.array(z.number().int().nonnegative()).optional(),
  /**
   * The same on the training rows, when the evaluation rows are the validation split: a rare class with too few
   * validation rows is judged on its training and validation rows together (missing rows it was fit on is no better).
   */
  trainClassRecall: z.array(maybeNum).optional(),
  trainClassCounts: z.array(z.number().int().nonnegative()).optional(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export const artifactsSchema = z.object({
  artifactsVersion: z.literal(ARTIFACTS_VERSION),
  createdAt: z.string(),
  backend: z.object({ name: z.string(), reason: z.string(), tfjsVersion: z.string() }),
  seed: z.number().nullable(),
  model: modelInfoSchema,
  data: dataInfoSchema,
  history: historySchema.nullable(),
  /** Absent in artifacts from before evaluation was measured, and from the training callback. */
  evaluation: evaluationSchema.optional(),
  gradients: z.array(gradientEpochSchema),
  weights: z.array(weightEpochSchema),
  /** Full activation detail on the probe set, at the probed epochs (always the first and last). */
  activations: z.array(activationEpochSchema),
  timing: z.record(z.string(), num),
  warnings: z.array(z.string()),
  stoppedEarly: stoppedEarlySchema.optional(),
  /**
   * The probe loss part-way through the last epoch (a fractional epoch), recorded when no probe lies between the start
   * and the last epoch: without it the run's final slope would be its first steps' drop from random weights.
   */
  lossBeforeEnd: z.object({ epoch: num, loss: maybeNum }).optional(),
});
export type Artifacts = z.infer<typeof artifactsSchema>;
export const ARTIFACT_KINDS = ['History', 'Gradients', 'Weights', 'Activations', 'Model', 'Data'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
