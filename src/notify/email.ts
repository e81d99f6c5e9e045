import type { AuditResult } from '../result/schema.js';
import { statusBadge, statusRank } from '../result/vocabulary.js';

export interface EmailContent { subject: string; text: string }

/** Subject with model and verdict; body lists the findings worst first, then what to change. */
export function composeEmail(r: AuditResult): EmailContent {
  const findings = [...r.findings].sort((a, b) => statusRank(a.status) - statusRank(b.status));
  const lines = [
    `nnaudit verdict for ${r.model.name}: ${r.gate.verdict}`,
    `${r.model.source} model, ${r.model.params} parameters, ${r.run.backend.name} backend, ${(r.run.durationMs / 1000).toFixed(1)} s, run ${r.run.id}`,
    '',
    ...findings.map((f) => `  ${statusBadge(f.status).padEnd(5)} ${f.id}: ${f.displayValue}`),
  ];
  const recs = findings.filter((f) => f.recommendation);
  if (recs.length) lines.push('', 'What to change:', ...recs.map((f) => `  - ${f.id}: ${f.recommendation}`));
  lines.push('', 'The full report is attached.');
  return { subject: `[nnaudit] ${r.model.name}: ${r.gate.verdict}`, text: `${lines.join('\n')}\n` };
}
