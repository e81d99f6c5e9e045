import type { Artifacts, ArtifactKind } from '../artifacts/schema.js';
import type { Finding, Status } from '../result/schema.js';
import { evidenceSchema } from '../result/evidence.js';
import { ANALYZERS } from '../analyzers/index.js';
import type { Analyzer, FindingView } from '../analyzers/support/define-analyzer.js';
import { citeInputScale, runOrder } from '../analyzers/support/cross-references.js';
import { deferToCauses } from '../result/causes.js';
import { errorMessage } from '../errors.js';
import { validateAnalyzerSettings, type AnalyzerSettings } from '../analyzers/settings.js';

export { validateAnalyzerSettings, type AnalyzerSettings };

/** One place maps scores to statuses (Lighthouse's bands). */
export function statusFromScore(score: number | null): Status {
  if (score === null) return 'notApplicable';
  return score >= 0.9 ? 'pass' : score >= 0.5 ? 'warn' : 'fail';
}

/**
 * Why an analyzer could not run, in the user's terms. The usual case is a model audited as loaded: it has no
 * training history unless the user gives it, so say how (a bare "needs History artifacts" names no fix).
 */
function missingText(missing: ArtifactKind[], a: Artifacts): string {
  if (missing.length === 1 && missing[0] === 'History' && a.model.source === 'loaded') {
    return 'no training history: the model was audited as loaded; give its training log, Keras, Lightning or Hugging Face (--history, model.load.history) or train it (--epochs N)';
  }
  return `needs ${missing.join(', ')} artifacts, which this run did not record`;
}

function present(a: Artifacts, kind: ArtifactKind): boolean {
  switch (kind) {
    case 'History':
      return a.history !== null && a.history.epochs.length > 0;
    case 'Gradients':
      return a.gradients.length > 0;
    case 'Weights':
      return a.weights.length > 0;
    case 'Activations':
      return a.activations.length > 0;
    case 'Model':
    case 'Data':
      return true;
  }
}

/** Runs every enabled analyzer; one that throws yields an `error` finding and the others still run. */
export function runAnalyzers(artifacts: Artifacts, settings: AnalyzerSettings = {}): Finding[] {
  validateAnalyzerSettings(settings);
  const enabled = ANALYZERS.filter((a) => settings[a.meta.id] !== false);
  // Analyzers that cite another finding run after it and read it (read-only); the output keeps registry order.
  const byId = new Map<string, Finding>();
  for (const a of runOrder(enabled)) {
    const earlier: Record<string, FindingView> = {};
    for (const id of a.meta.after ?? []) {
      const f = byId.get(id);
      if (f)
        earlier[id] = Object.freeze({
          status: f.status,
          numericValue: f.numericValue,
          displayValue: f.displayValue,
          affectedLayers: Object.freeze([...f.affectedLayers]),
        });
    }
    byId.set(a.meta.id, runOne(a, artifacts, settings[a.meta.id] || {}, Object.freeze(earlier)));
  }
  // A symptom's advice defers to a cause that holds in the same run (no "add capacity" while gradients vanish).
  return deferToCauses(citeInputScale(enabled.map((a) => byId.get(a.meta.id)!)));
}

function runOne(
  analyzer: Analyzer,
  artifacts: Artifacts,
  overrides: Record<string, number>,
  findings: Readonly<Record<string, FindingView>>,
): Finding {
  const thresholds: Record<string, number> = {};
  const thresholdDocs: Finding['thresholds'] = {};
  for (const [name, def] of Object.entries(analyzer.thresholds)) {
    thresholds[name] = overrides[name] ?? def.default;
    thresholdDocs[name] = {
      value: thresholds[name]!,
      source: name in overrides ? `overridden (default ${def.default}: ${def.source})` : def.source,
    };
  }
  const base = { id: analyzer.meta.id, description: analyzer.meta.description, thresholds: thresholdDocs };
  // Fail-fast stopped training: an analyzer that needs the whole run says it was not judged rather than pass.
  const stopped = artifacts.stoppedEarly;
  if (stopped && !analyzer.meta.failFast) {
    return {
      ...base,
      title: analyzer.meta.title,
      status: 'notApplicable',
      score: null,
      numericValue: null,
      numericUnit: null,
      displayValue: `not judged: training stopped at epoch ${stopped.epoch} of ${stopped.epochs} (${stopped.analyzer} failed), and this needs the whole run`,
      evidence: [],
      recommendation: null,
      affectedLayers: [],
      errorMessage: null,
    };
  }
  const missing = analyzer.meta.requiredArtifacts.filter((k) => !present(artifacts, k));
  if (missing.length) {
    return {
      ...base,
      title: analyzer.meta.title,
      status: 'notApplicable',
      score: null,
      numericValue: null,
      numericUnit: null,
      displayValue: missingText(missing, artifacts),
      evidence: [],
      recommendation: null,
      affectedLayers: [],
      errorMessage: null,
    };
  }
  try {
    const out = analyzer.run(artifacts, { thresholds, findings });
    const status = statusFromScore(out.score);
    return {
      ...base,
      title: status === 'pass' || status === 'notApplicable' ? analyzer.meta.title : analyzer.meta.failureTitle,
      status,
      score: out.score,
      numericValue: out.numericValue !== null && Number.isFinite(out.numericValue) ? out.numericValue : null,
      numericUnit: out.numericUnit ?? null,
      displayValue: out.displayValue,
      evidence: out.evidence.map((e) => evidenceSchema.parse(e)),
      recommendation: out.recommendation,
      affectedLayers: out.affectedLayers,
      errorMessage: null,
    };
  } catch (e) {
    return {
      ...base,
      title: analyzer.meta.title,
      status: 'error',
      score: null,
      numericValue: null,
      numericUnit: null,
      displayValue: `analyzer failed: ${errorMessage(e)}`,
      evidence: [],
      recommendation: null,
      affectedLayers: [],
      errorMessage: errorMessage(e),
    };
  }
}
