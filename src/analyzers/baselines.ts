import type { Artifacts } from '../artifacts/schema.js';
import type { FindingView } from './define-analyzer.js';

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
