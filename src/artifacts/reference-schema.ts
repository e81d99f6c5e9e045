import { z } from 'zod';
import { maybeNum, num } from './schema-numbers.js';

/**
 * The references gather measures the network against, part of the artifact document (schema.ts): the encoded
 * targets and their constant predictor, the linear fit, the nearest-neighbour vote, and the validation rows' vote.
 */

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
