import type { Artifacts } from '../artifacts/schema.js';
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
