import type { AuditResult } from '../result/schema.js';
import { redactPaths } from '../policy/redact.js';
import { displayPath, publicReason, publicSpec } from './public-text.js';

/**
 * The result as every output shows it (report, Markdown, JUnit, CI annotations, terminal, e-mail): each place it
 * records a local path (the model file, the data, the spec's paths, a --baseline file, a path inside a message)
 * shows only a file name. result.json itself keeps the paths: it is the run's record on the machine that ran it.
 * Idempotent, so an output may call it on a result another output already passed through it.
 */
export function publicResult(r: AuditResult): AuditResult {
  const text = redactPaths;
  return {
    ...r,
    run: { ...r.run, backend: { ...r.run.backend, reason: publicReason(r.run.backend.reason) } },
    spec: r.spec === null ? null : (publicSpec(r.spec) as Record<string, unknown>),
    model: { ...r.model, location: r.model.location === null ? null : displayPath(r.model.location) },
    data: { ...r.data, source: displayPath(r.data.source) },
    findings: r.findings.map((f) => ({
      ...f,
      displayValue: text(f.displayValue),
      description: text(f.description),
      recommendation: f.recommendation === null ? null : text(f.recommendation),
      errorMessage: f.errorMessage === null ? null : text(f.errorMessage),
    })),
    gate: {
      ...r.gate,
      assertions: r.gate.assertions.map((a) => ({
        ...a,
        expected: text(a.expected),
        found: text(a.found),
        message: text(a.message),
      })),
    },
    runWarnings: r.runWarnings.map(text),
    ...(r.baseline ? { baseline: { ...r.baseline, source: text(r.baseline.source) } } : {}),
  };
}
