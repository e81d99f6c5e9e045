import type { AuditResult } from '../result/schema.js';
import { statusBadge } from '../result/vocabulary.js';
import { modelWarning, regressionLines, shortDate } from './trend-view.js';
import { publicResult } from './public-result.js';
import { escapeControl } from '../util/terminal-text.js';

/** The verdict table printed on the terminal: one line per finding, worst first, then failed assertions. */
export function summaryText(result: AuditResult): string {
  const r = publicResult(result);
  const lines = [
    `nnaudit ${r.model.name} (${r.model.source}, ${r.run.backend.name} backend, ${(r.run.durationMs / 1000).toFixed(1)} s): ${r.gate.verdict}`,
  ];
  const width = Math.max(...r.findings.map((f) => f.id.length));
  for (const f of r.findings)
    lines.push(`  ${statusBadge(f.status).padEnd(5)}  ${f.id.padEnd(width)}  ${f.displayValue}`);
  const verified = r.findings.filter((f) => f.verifiedFix);
  if (verified.length) lines.push('', 'Verified fixes:', ...verified.map((f) => `  ${f.id}: ${f.verifiedFix!.text}`));
  const failed = r.gate.assertions.filter((a) => !a.passed);
  if (failed.length) {
    lines.push('', 'Gate assertions not met:');
    for (const a of failed) lines.push(`  [${a.level}] ${a.id}: expected ${a.expected}, found ${a.found}`);
  }
  const b = r.baseline;
  if (b) {
    const regress = regressionLines(r);
    lines.push(
      '',
      regress.length
        ? `Regressed since ${shortDate(b.date)} (${b.source}):`
        : `No regression since ${shortDate(b.date)} (${b.source}).`,
    );
    const warning = modelWarning(r);
    if (warning) lines.push(`  ${warning}`);
    for (const l of regress) lines.push(`  ${l}`);
  }
  for (const w of r.runWarnings) lines.push(`  warning: ${w}`);
  // Each line may carry a spec's name or a finding's text: escaped, so none can forge lines or colour the terminal.
  return lines.map(escapeControl).join('\n');
}
