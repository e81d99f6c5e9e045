import { z } from 'zod';

/**
 * The artifact document: everything gather measured, as plain JSON. Analyzers read only this.
 * Another framework can produce it too; `artifactsVersion` changes when a field changes meaning.
 */
export const ARTIFACTS_VERSION = 1;

const num = z.number();
/** JSON has no NaN/Infinity: non-finite numbers are written as null. */
const maybeNum = z.number().nullable();

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

/** The encoded targets as the loss sees them (rows x columns), and what a constant prediction scores on them. */
export const targetSummarySchema = z.object({
  /** integer: whole numbers in one column (class ids) or not 0/1; one-hot / multi-hot: 0/1 columns summing to 1 / not; real: any fraction. */
  kind: z.enum(['integer', 'one-hot', 'multi-hot', 'real']),
  rows: num,
  columns: num,
  /** Distinct values over the whole matrix; null when more than 1000. */
  distinct: z.number().nullable(),
  min: maybeNum,
  max: maybeNum,
  /** Mean of each column (at most 256): class priors for one-hot, unit priors for multi-hot. */
  unitMeans: z.array(num),
  /** Frequency of each class id (integer targets in one column) or each one-hot column; null otherwise. */
  classPriors: z.array(num).nullable(),
  /** Loss of the best constant prediction for the recorded loss (the median for MAE, per-unit entropy for multi-label BCE...). */
  constantLoss: maybeNum,
  /** What that constant prediction is, in words. */
  constantPredictor: z.string(),
  /** Accuracy of the best constant prediction, measured the way tfjs' `accuracy` metric does for this loss and head. */
  chanceAccuracy: maybeNum,
});
export type TargetSummary = z.infer<typeof targetSummarySchema>;

/**
 * A linear model fitted to the training rows by gather: for a single-label classifier, multinomial logistic
 * regression (the accuracy ceiling of a network with no non-linearity); for regression, least squares (the loss
 * floor of such a network, in the network's own loss). A baseline between the constant predictor and the network.
 * Deterministic. The fields marked "absent before regression fits" are optional so that older documents still parse.
 */
export const linearFitSchema = z.object({
  /** The model and how it was fitted, in words. */
  method: z.string(),
  /** What the fit predicts; absent before regression fits (every fit was a classifier then). */
  task: z.enum(['classification', 'regression']).optional(),
  /** Where the rows came from: "training rows" (gather), or the rows given to nnauditCallback; absent before it was recorded (training rows). */
  rowsFrom: z.string().optional(),
  /** Training rows, features and classes the fit used (rows capped so it costs little); classes is 0 for regression. */
  rows: num,
  features: num,
  classes: num,
  /** Regression: target values per row; absent for classifiers. */
  targets: num.optional(),
  /** Validation rows it was scored on (0 without a validation split). */
  validationRows: num,
  /** Classifier only (null for regression). */
  trainAccuracy: maybeNum,
  validationAccuracy: maybeNum,
  /**
   * Its loss on the fit rows. Classifier: mean cross-entropy (natural log), comparable with a softmax/sigmoid
   * network's loss. Regression: the network's loss named in `loss` (mean over rows and targets).
   */
  trainLoss: maybeNum,
  /** Regression: the loss `trainLoss` and `validationLoss` are measured in (meanSquaredError or meanAbsoluteError). */
  loss: z.string().optional(),
  /** Regression: its loss on the validation rows (null without them). */
  validationLoss: maybeNum.optional(),
  /** Regression: the best constant prediction's loss on the same fit rows (trainLoss over it is 1 - R^2 for MSE). */
  constantLoss: maybeNum.optional(),
  /** What the fit cost (also in timing.linearFitMs). */
  ms: num,
  /** Why no fit was made (multi-label, a loss with no linear baseline, too many features), or null. */
  skipped: z.string().nullable(),
});
export type LinearFit = z.infer<typeof linearFitSchema>;

/**
 * A k-nearest-neighbour vote on the standardized training rows, each row left out of its own vote, paired row by row
 * with the network's answers on the same rows (gather/reference/neighbour-fit.ts): how closely the data lets the training rows be
 * fit without memorizing them. Single-label classification; absent before it was recorded, and from the callback without baseline rows.
 */
export const neighbourFitSchema = z.object({
  method: z.string(),
  k: num,
  /** Training rows voted on (the first rows of the shuffled split, capped so it costs little) and features. */
  rows: num,
  features: num,
  /** Share of those rows the vote answers with their label; null when skipped. */
  accuracy: maybeNum,
  /** Share the trained network (final weights, inference mode) answers with their label, on the same rows. */
  networkAccuracy: maybeNum,
  /** Rows only the vote answers right, and rows only the network does (McNemar's discordant pairs). */
  neighbourOnly: maybeNum,
  networkOnly: maybeNum,
  ms: num,
  /** Why no vote was made (regression, multi-label, too many features or too few rows), or null. */
  skipped: z.string().nullable(),
});
export type NeighbourFit = z.infer<typeof neighbourFitSchema>;

/**
 * The validation rows' neighbour vote on the training rows and on each other (gather/reference/neighbour-fit.ts
 * voteFromValidation): per class, rows and how many the vote answers with their own label. A check of the training
 * labels that does not depend on the network; absent before it was recorded, without a validation split, and for a
 * model audited as saved.
 */
export const validationVoteSchema = z.object({
  method: z.string(),
  k: num,
  features: num,
  /** Per class id: training rows voted on (the first rows of the shuffled split, capped so it costs little), and how many the vote agrees with. */
  trainCounts: z.array(num),
  trainAgree: z.array(num),
  /** The same for the validation rows, each left out of its own vote. */
  validationCounts: z.array(num),
  validationAgree: z.array(num),
  ms: num,
  /** Why no vote was made (regression, multi-label, too many features or too few validation rows), or null. */
  skipped: z.string().nullable(),
});
export type ValidationVote = z.infer<typeof validationVoteSchema>;

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
});
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
});
/** Kernels up to this many inputs and units keep their values (64 x 64 = 4,096 numbers per probe at most). */
export const MAX_KERNEL_SIDE = 64;
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
