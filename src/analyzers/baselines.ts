import type { Artifacts, LinearFit } from '../artifacts/schema.js';
import type { FindingView } from './define-analyzer.js';
import { tailMean } from './artifact-helpers.js';

/**
 * The constant-predictor baseline and chance accuracy for these artifacts: from the target summary (computed for
 * the recorded loss and head) when gather recorded one, else the older data.trivialLoss / data.chanceAccuracy.
 */
export function constantLoss(a: Artifacts): number | null {
  return a.data.targetSummary ? a.data.targetSummary.constantLoss : a.data.trivialLoss;
}

export function chanceAccuracy(a: Artifacts): number | null {
  return a.data.targetSummary ? a.data.targetSummary.chanceAccuracy : a.data.chanceAccuracy;
}

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

/** The network's accuracy set beside the linear classifier gather fitted to the same rows (data.linearFit). */
export interface LinearComparison {
  fit: LinearFit;
  /** The split both were measured on: validation when both have it, else training. */
  on: 'validation' | 'training';
  linear: number;
  /** null when the network reports no comparable accuracy. */
  network: number | null;
  /** The network's comparable accuracy on each split (null where it has none). */
  networkTraining: number | null;
  networkValidation: number | null;
  /** The linear model's loss over the constant predictor's, when the network's loss is the same cross-entropy. */
  linearLossRatio: number | null;
  /** network <= linear + NO_BETTER_THAN_LINEAR; null without a network accuracy. */
  noBetter: boolean | null;
  /** The linear model's training accuracy as skill: 0 at chance, 1 at perfect; null without a chance accuracy. */
  linearSkill: number | null;
  /** "a linear model reaches 0.52 validation accuracy; this network 0.51: it is no better than linear" */
  text: string;
}

/**
 * The linear classifier's accuracy against the network's, measured the same way, or null when gather fitted none
 * (regression, multi-label, too many features, older artifacts, the callback). A head whose tfjs `accuracy` is a
 * per-unit binary accuracy (binaryCrossentropy over several units) is not compared: it is not a class accuracy.
 */
export function linearComparison(a: Artifacts): LinearComparison | null {
  const fit = a.data.linearFit;
  if (!fit || fit.skipped !== null || fit.trainAccuracy === null) return null;
  const units = a.model.outputShape[a.model.outputShape.length - 1] ?? 1;
  const comparable = !(a.model.loss === 'binaryCrossentropy' && units > 1);
  const series = a.history?.series;
  const evaluated = a.evaluation?.metrics['accuracy'] ?? null;
  const netVal = comparable ? tailMean(series?.['val_accuracy']) ?? (a.evaluation?.on === 'validation' ? evaluated : null) : null;
  const netTrain = comparable ? tailMean(series?.['accuracy']) ?? (a.evaluation?.on === 'all rows' ? evaluated : null) : null;
  const useValidation = fit.validationAccuracy !== null && (netVal !== null || netTrain === null);
  const on = useValidation ? 'validation' : 'training';
  const linear = useValidation ? fit.validationAccuracy! : fit.trainAccuracy;
  const network = useValidation ? netVal : netTrain;
  const noBetter = network === null ? null : network <= linear + NO_BETTER_THAN_LINEAR;
  const chance = chanceAccuracy(a);
  const linearSkill = chance !== null && chance < 1 ? (fit.trainAccuracy - chance) / (1 - chance) : null;
  const verdict = network === null ? '' : `; this network ${network.toFixed(2)}` +
    (noBetter ? ': it is no better than linear' : `, ${(network - linear).toFixed(2)} above it`);
  // The linear fit minimizes softmax cross-entropy: the same number as these losses of a single-label classifier.
  const sameLoss = a.model.loss === 'categoricalCrossentropy' || a.model.loss === 'sparseCategoricalCrossentropy' || (a.model.loss === 'binaryCrossentropy' && units === 1);
  const base = constantLoss(a);
  const linearLossRatio = sameLoss && fit.trainLoss !== null && base !== null && base > 0 ? fit.trainLoss / base : null;
  return { fit, on, linear, network, networkTraining: netTrain, networkValidation: netVal, linearLossRatio, noBetter, linearSkill, text: `a linear model reaches ${linear.toFixed(2)} ${on} accuracy${verdict}` };
}
