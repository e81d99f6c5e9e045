import type { AuditResult } from '../result/schema.js';
import { modelWarning, regressionLines, shortDate } from '../report/trend-view.js';
import { publicResult } from '../report/public-result.js';
import { statusBadge, statusRank } from '../result/vocabulary.js';

export interface EmailContent {
  subject: string;
  text: string;
}

/** Subject with model, verdict and any regression; body lists the findings worst first, what got worse (both numbers), then what to change. */
export function composeEmail(result: AuditResult): EmailContent {
  const r = publicResult(result);
  const findings = [...r.findings].sort((a, b) => statusRank(a.status) - statusRank(b.status));
  const lines = [
    `nnaudit verdict for ${r.model.name}: ${r.gate.verdict}`,
    `${r.model.source} model, ${r.model.params} parameters, ${r.run.backend.name} backend, ${(r.run.durationMs / 1000).toFixed(1)} s, run ${r.run.id}`,
    '',
    ...findings.map((f) => `  ${statusBadge(f.status).padEnd(5)} ${f.id}: ${f.displayValue}`),
  ];
  const b = r.baseline;
  const regress = regressionLines(r);
  if (b) {
    lines.push(
      '',
      regress.length
        ? `Got worse since ${shortDate(b.date)} (${b.source}, run ${b.runId}, ${b.verdict}):`
        : `No regression since ${shortDate(b.date)} (${b.source}, run ${b.runId}).`,
      ...(modelWarning(r) ? [`  ${modelWarning(r)}`] : []),
      ...regress.map((l) => `  ${l}`),
    );
  }
  const recs = findings.filter((f) => f.recommendation);
  if (recs.length) lines.push('', 'What to change:', ...recs.map((f) => `  - ${f.id}: ${f.recommendation}`));
  lines.push('', 'The full report is attached.');
  // The subject says "regressed" first: a nightly mail is read for what changed since the night before.
  const subject =
    b && regress.length
      ? `[nnaudit] ${r.model.name}: ${r.gate.verdict}, regressed since ${shortDate(b.date)} (${b.regressed.join(', ')})`
      : `[nnaudit] ${r.model.name}: ${r.gate.verdict}`;
  return { subject, text: `${lines.join('\n')}\n` };
}
