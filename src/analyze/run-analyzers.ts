import type { Artifacts, ArtifactKind } from '../artifacts/schema.js';
import type { Finding, Status } from '../result/schema.js';
import { evidenceSchema } from '../result/evidence.js';
import { ANALYZERS } from '../analyzers/index.js';
import { validateAnalyzerSettings, type AnalyzerSettings } from '../analyzers/settings.js';
import type { Analyzer } from '../analyzers/define-analyzer.js';
import { errorMessage } from '../errors.js';

export { validateAnalyzerSettings, type AnalyzerSettings };

/** One place maps scores to statuses (Lighthouse's bands). */
export function statusFromScore(score: number | null): Status {
  if (score === null) return 'notApplicable';
  return score >= 0.9 ? 'pass' : score >= 0.5 ? 'warn' : 'fail';
}

function present(a: Artifacts, kind: ArtifactKind): boolean {
  switch (kind) {
    case 'History': return a.history !== null && a.history.epochs.length > 0;
    case 'Gradients': return a.gradients.length > 0;
    case 'Weights': return a.weights.length > 0;
    case 'Activations': return a.activations.length > 0;
    case 'Model':
    case 'Data': return true;
  }
}

/** Runs every enabled analyzer; one that throws yields an `error` finding and the others still run. */
export function runAnalyzers(artifacts: Artifacts, settings: AnalyzerSettings = {}): Finding[] {
  validateAnalyzerSettings(settings);
  return ANALYZERS.filter((a) => settings[a.meta.id] !== false).map((a) => runOne(a, artifacts, settings[a.meta.id] || {}));
}

function runOne(analyzer: Analyzer, artifacts: Artifacts, overrides: Record<string, number>): Finding {
  const thresholds: Record<string, number> = {};
  const thresholdDocs: Finding['thresholds'] = {};
  for (const [name, def] of Object.entries(analyzer.thresholds)) {
    thresholds[name] = overrides[name] ?? def.default;
    thresholdDocs[name] = { value: thresholds[name]!, source: name in overrides ? `overridden (default ${def.default}: ${def.source})` : def.source };
  }
  const base = { id: analyzer.meta.id, description: analyzer.meta.description, thresholds: thresholdDocs };
  const missing = analyzer.meta.requiredArtifacts.filter((k) => !present(artifacts, k));
  if (missing.length) {
    return { ...base, title: analyzer.meta.title, status: 'notApplicable', score: null, numericValue: null, numericUnit: null,
      displayValue: `needs ${missing.join(', ')} artifacts, which this run did not record`, evidence: [], recommendation: null, affectedLayers: [], errorMessage: null };
  }
  try {
    const out = analyzer.run(artifacts, { thresholds });
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
    return { ...base, title: analyzer.meta.title, status: 'error', score: null, numericValue: null, numericUnit: null,
      displayValue: `analyzer failed: ${errorMessage(e)}`, evidence: [], recommendation: null, affectedLayers: [], errorMessage: errorMessage(e) };
  }
}
