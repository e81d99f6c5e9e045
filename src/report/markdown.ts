import type { AuditResult } from '../result/schema.js';
import { STATUS_ICON, STATUS_LABEL } from '../result/vocabulary.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown summary for CI job pages and pull-request comments. */
export function markdownSummary(r: AuditResult): string {
  const lines = [
    `## nnaudit: ${cell(r.model.name)} — ${r.gate.verdict}`,
    '',
    `${r.model.source === 'trained' ? 'Trained' : 'Loaded'} model, ${r.model.params} parameters, ${r.run.backend.name} backend, ` +
      `${(r.run.durationMs / 1000).toFixed(1)} s, gate preset \`${r.gate.preset}\`.`,
    '',
    '| Status | Analyzer | Finding |',
    '| --- | --- | --- |',
    ...r.findings.map((f) => `| ${STATUS_ICON[f.status]} ${STATUS_LABEL[f.status].toLowerCase()} | \`${f.id}\` | ${cell(f.displayValue)} |`),
  ];
  for (const w of r.runWarnings) lines.push('', `> ${cell(w)}`);
  const failed = r.gate.assertions.filter((a) => !a.passed);
  if (failed.length) {
    lines.push('', '### Assertions not met', '');
    for (const a of failed) lines.push(`- **${a.id}** (${a.level}): expected ${cell(a.expected)}, found ${cell(a.found)}`);
  }
  const recs = r.findings.filter((f) => f.recommendation);
  if (recs.length) {
    lines.push('', '### What to change', '');
    for (const f of recs) lines.push(`- **${f.id}**: ${cell(f.recommendation!)} ${f.verifiedFix ? `**${cell(f.verifiedFix.text)}**` : '_(advice, not tested: `nnaudit fix` verifies repairs)_'}`);
  }
  return `${lines.join('\n')}\n`;
}
