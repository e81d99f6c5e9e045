import type { Artifacts, LinearFit, NeighbourFit } from '../../artifacts/schema.js';
import { fmt, type FindingView } from './define-analyzer.js';
import { chanceAccuracy, constantLoss, tailMean } from './artifact-helpers.js';
import { mcNemarZ } from './proportions.js';

export function constantPredictorText(a: Artifacts): string {
  return a.data.targetSummary?.constantPredictor ?? 'a constant predictor';
}

/** True when an earlier finding reports a problem (warn or fail): only then may another finding cite it as a cause. */
export function holds(findings: Readonly<Record<string, FindingView>>, id: string): boolean {
  const s = findings[id]?.status;
  return s === 'fail' || s === 'warn';
}

/**
 * The model's accuracy: the end of training (mean of the last 3 epochs), or, for a model audited without a
 * training history (loaded as saved), the accuracy gather's evaluation measured. null when neither exists.
 */
export function modelAccuracy(a: Artifacts): { value: number; on: 'training' | 'evaluation' } | null {
  const trained = tailMean(a.history?.series['accuracy']);
  if (trained !== null) return { value: trained, on: 'training' };
  const evaluated = a.evaluation?.metrics['accuracy'];
  return evaluated !== undefined && evaluated !== null ? { value: evaluated, on: 'evaluation' } : null;
}

/**
 * A network within this much accuracy of the linear model is "no better than linear": a validation set of a few
 * hundred rows has a standard error of about 0.02-0.03 on accuracy, so a smaller gap says nothing.
 */
export const NO_BETTER_THAN_LINEAR = 0.02;

/**
 * Regression: a network whose loss is above (1 - this) of the least-squares fit's on the same rows is "no better
 * than linear", and one above (1 + this) of it is below linear. Ours: both losses are measured on the same rows, so
 * the gap is paired; on sine the least-squares line leaves ~40% of the constant predictor's MSE and a relu MLP
 * under 5%, far outside this band either way.
 */
export const NO_BETTER_THAN_LINEAR_LOSS = 0.05;

/**
 * Where the linear model itself cannot fit the rows. One definition for missing-nonlinearity's failSkill /
 * failLossRatio defaults and underfitting's advice, so the two cannot drift apart.
 * Classifier: its training accuracy under half-way from chance to perfect (linear on 3-class spirals: 0.23; on
 * separable blobs/iris/wine: > 0.9).
 */
export const LINEAR_CANNOT_FIT_SKILL = 0.5;
/** Regression: its loss at or above half the constant predictor's (for MSE, R^2 <= 0.5: it explains little of the target). */
export const LINEAR_CANNOT_FIT_LOSS_RATIO = 0.5;

/** The network's fit set beside the linear model gather fitted to the same rows (data.linearFit), measured the same way. */
export interface LinearComparison {
  fit: LinearFit;
  /** classification: accuracies (higher is better); regression: losses in the network's loss (lower is better). */
  task: 'classification' | 'regression';
  /** What `linear` and `network` are: "accuracy", or the loss ("MSE", "MAE"). */
  measure: string;
  /** The split both were measured on: validation when both have it, else training. */
  on: 'validation' | 'training';
  linear: number;
  /** null when the network reports no comparable number. */
  network: number | null;
  /** The network's comparable number on each split (null where it has none). */
  networkTraining: number | null;
  networkValidation: number | null;
  /** The linear model's loss over the constant predictor's, when the network's loss is the same loss. */
  linearLossRatio: number | null;
  /** The network is not clearly better than the linear model; null without a network number. */
  noBetter: boolean | null;
  /** The network is clearly worse than the linear model on the same rows: a training problem, not capacity. */
  belowLinear: boolean;
  /** The linear model's training accuracy as skill: 0 at chance, 1 at perfect; null without a chance accuracy (and for regression). */
  linearSkill: number | null;
  /** "logistic regression on 600 training rows" / "least squares on 300 training rows", for table titles. */
  about: string;
  /** "a linear model reaches 0.52 validation accuracy" / "a linear least-squares fit reaches validation MSE 0.205" */
  reach: string;
  /** A value of `measure` as the texts print it. */
  format(v: number): string;
  /** reach + "; this network 0.51: it is no better than linear" */
  text: string;
}

/**
 * Whether the linear model itself cannot fit these rows (null when the comparison cannot say): its skill under
 * `skill` (classifier) or its loss at or above `lossRatio` of the constant predictor's (regression).
 */
export function linearCannotFit(
  c: LinearComparison,
  skill = LINEAR_CANNOT_FIT_SKILL,
  lossRatio = LINEAR_CANNOT_FIT_LOSS_RATIO,
): boolean | null {
  if (c.task === 'regression') return c.linearLossRatio === null ? null : c.linearLossRatio >= lossRatio;
  return c.linearSkill === null ? null : c.linearSkill < skill;
}

/**
 * The linear model's fit against the network's, measured the same way, or null when gather fitted none
 * (multi-label, too many features, older artifacts, a callback without one). A head whose tfjs `accuracy` is a
 * per-unit binary accuracy (binaryCrossentropy over several units) is not compared: it is not a class accuracy.
 */
export function linearComparison(a: Artifacts): LinearComparison | null {
  const fit = a.data.linearFit;
  if (!fit || fit.skipped !== null) return null;
  return fit.task === 'regression' ? regressionComparison(a, fit) : classifierComparison(a, fit);
}

function rowsText(fit: LinearFit): string {
  return `${fit.rows} ${fit.rowsFrom ?? 'training rows'}`;
}

function classifierComparison(a: Artifacts, fit: LinearFit): LinearComparison | null {
  if (fit.trainAccuracy === null) return null;
  const units = a.model.outputShape[a.model.outputShape.length - 1] ?? 1;
  const comparable = !(a.model.loss === 'binaryCrossentropy' && units > 1);
  const series = a.history?.series;
  const evaluated = a.evaluation?.metrics['accuracy'] ?? null;
  const netVal = comparable
    ? (tailMean(series?.['val_accuracy']) ?? (a.evaluation?.on === 'validation' ? evaluated : null))
    : null;
  const netTrain = comparable
    ? (tailMean(series?.['accuracy']) ?? (a.evaluation?.on === 'all rows' ? evaluated : null))
    : null;
  const useValidation = fit.validationAccuracy !== null && (netVal !== null || netTrain === null);
  const on = useValidation ? 'validation' : 'training';
  const linear = useValidation ? fit.validationAccuracy! : fit.trainAccuracy;
  const network = useValidation ? netVal : netTrain;
  const noBetter = network === null ? null : network <= linear + NO_BETTER_THAN_LINEAR;
  const chance = chanceAccuracy(a);
  const linearSkill = chance !== null && chance < 1 ? (fit.trainAccuracy - chance) / (1 - chance) : null;
  const format = (v: number) => v.toFixed(2);
  const verdict =
    network === null
      ? ''
      : `; this network ${format(network)}` +
        (noBetter ? ': it is no better than linear' : `, ${(network - linear).toFixed(2)} above it`);
  // The linear fit minimizes softmax cross-entropy: the same number as these losses of a single-label classifier.
  const sameLoss =
    a.model.loss === 'categoricalCrossentropy' ||
    a.model.loss === 'sparseCategoricalCrossentropy' ||
    (a.model.loss === 'binaryCrossentropy' && units === 1);
  const base = constantLoss(a);
  const linearLossRatio = sameLoss && fit.trainLoss !== null && base !== null && base > 0 ? fit.trainLoss / base : null;
  const reach = `a linear model reaches ${format(linear)} ${on} accuracy`;
  return {
    fit,
    task: 'classification',
    measure: 'accuracy',
    on,
    linear,
    network,
    networkTraining: netTrain,
    networkValidation: netVal,
    linearLossRatio,
    noBetter,
    belowLinear: network !== null && network < linear - NO_BETTER_THAN_LINEAR,
    linearSkill,
    about: `logistic regression on ${rowsText(fit)}`,
    reach,
    format,
    text: reach + verdict,
  };
}

const LOSS_ABBREVIATION: Readonly<Record<string, string>> = { meanSquaredError: 'MSE', meanAbsoluteError: 'MAE' };

/**
 * Regression: the least-squares fit's loss against the network's, in the network's own loss (the fit records the
 * loss it was scored in; another loss is not compared). The network's numbers are the end of its history (val_loss,
 * loss), else its evaluation. A Keras loss includes any weight penalty the model adds, and the training `loss` is
 * the mean over the epoch's batches (dropout on, weights still moving): both only make the network look worse, which
 * is why the validation losses (measured after each epoch, in inference mode) are compared when both exist.
 */
function regressionComparison(a: Artifacts, fit: LinearFit): LinearComparison | null {
  if (fit.trainLoss === null || fit.loss === undefined || fit.loss !== a.model.loss) return null;
  const series = a.history?.series;
  const evaluated = a.evaluation?.loss ?? null;
  const netVal = tailMean(series?.['val_loss']) ?? (a.evaluation?.on === 'validation' ? evaluated : null);
  const netTrain = tailMean(series?.['loss']) ?? (a.evaluation?.on === 'all rows' ? evaluated : null);
  const linearVal = fit.validationLoss ?? null;
  const useValidation = linearVal !== null && (netVal !== null || netTrain === null);
  const on = useValidation ? 'validation' : 'training';
  const linear = useValidation ? linearVal : fit.trainLoss;
  const network = useValidation ? netVal : netTrain;
  const noBetter = network === null ? null : network >= linear * (1 - NO_BETTER_THAN_LINEAR_LOSS);
  const measure = LOSS_ABBREVIATION[fit.loss] ?? fit.loss;
  const format = (v: number) => fmt.sci(v);
  const verdict =
    network === null
      ? ''
      : `; this network ${format(network)}` +
        (noBetter ? ': it is no better than linear' : `, ${fmt.pct(linear > 0 ? network / linear : 0)} of it`);
  const base = fit.constantLoss ?? constantLoss(a);
  const linearLossRatio = base !== null && base !== undefined && base > 0 ? fit.trainLoss / base : null;
  const reach = `a linear least-squares fit reaches ${on} ${measure} ${format(linear)}`;
  return {
    fit,
    task: 'regression',
    measure,
    on,
    linear,
    network,
    networkTraining: netTrain,
    networkValidation: netVal,
    linearLossRatio,
    noBetter,
    belowLinear: network !== null && network > linear * (1 + NO_BETTER_THAN_LINEAR_LOSS),
    linearSkill: null,
    about: `least squares on ${rowsText(fit)}`,
    reach,
    format,
    text: reach + verdict,
  };
}

/** The neighbour vote against the trained network on the same training rows (neighbourComparison). */
export interface NeighbourComparison {
  fit: NeighbourFit;
  /** Shares of the voted rows answered with their label: by the vote (leave-one-out) and by the network. */
  vote: number;
  network: number;
  /** vote - network. */
  gap: number;
  /** McNemar's z on the rows only one of them answers right: how many standard errors the vote is ahead (0 when it is not). */
  z: number;
  /** "a 5-nearest-neighbour vote (each row left out of its own vote) answers 96% of 300 training rows, this network 85% (38 rows only the vote gets right, 5 only the network)" */
  text: string;
}

/** How the network's fit of its training rows compares with a neighbour vote's; null when gather recorded no vote. */
export function neighbourComparison(a: Artifacts): NeighbourComparison | null {
  const fit = a.data.neighbourFit;
  if (
    !fit ||
    fit.skipped !== null ||
    fit.accuracy === null ||
    fit.networkAccuracy === null ||
    fit.neighbourOnly === null ||
    fit.networkOnly === null
  )
    return null;
  const text =
    `a ${fit.k}-nearest-neighbour vote (each row left out of its own vote) answers ${fmt.pct(fit.accuracy)} of ${fit.rows} training rows, ` +
    `this network ${fmt.pct(fit.networkAccuracy)} (${fit.neighbourOnly} rows only the vote gets right, ${fit.networkOnly} only the network)`;
  return {
    fit,
    vote: fit.accuracy,
    network: fit.networkAccuracy,
    gap: fit.accuracy - fit.networkAccuracy,
    z: mcNemarZ(fit.neighbourOnly, fit.networkOnly),
    text,
  };
}
