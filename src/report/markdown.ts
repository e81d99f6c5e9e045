import type { AuditResult } from '../result/schema.js';
import { escapeControl } from '../util/terminal-text.js';
import { STATUS_ICON, STATUS_LABEL } from '../result/vocabulary.js';
import { modelWarning, regressionLines, shortDate } from './trend-view.js';
import { publicResult } from './public-result.js';

const cell = (s: string): string => escapeControl(s.replace(/\|/g, '\\|').replace(/\n/g, ' '));
const num = (v: number | null): string => (v === null ? '—' : String(Number(v.toPrecision(3))));
const BARS = '▁▂▃▄▅▆▇█';
/** A text sparkline (Markdown renders no SVG in CI comments): one block per run, height by value. */
function spark(values: Array<number | null>): string {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return '—';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return values.map((v) => (v === null ? '·' : BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * 7)]!)).join('');
}

/** A Markdown summary for CI job pages and pull-request comments. */
export function markdownSummary(result: AuditResult): string {
  const r = publicResult(result);
  const lines = [
    `## nnaudit: ${cell(r.model.name)} — ${r.gate.verdict}`,
    '',
    `${r.model.source === 'trained' ? 'Trained' : 'Loaded'} model, ${r.model.params} parameters, ${r.run.backend.name} backend, ` +
      `${(r.run.durationMs / 1000).toFixed(1)} s, gate preset \`${r.gate.preset}\`.`,
    '',
    '| Status | Analyzer | Finding |',
    '| --- | --- | --- |',
    ...r.findings.map(
      (f) =>
        `| ${STATUS_ICON[f.status]} ${STATUS_LABEL[f.status].toLowerCase()} | \`${f.id}\` | ${cell(f.displayValue)} |`,
    ),
  ];
  for (const w of r.runWarnings) lines.push('', `> ${cell(w)}`);
  const failed = r.gate.assertions.filter((a) => !a.passed);
  if (failed.length) {
    lines.push('', '### Assertions not met', '');
    for (const a of failed)
      lines.push(`- **${a.id}** (${a.level}): expected ${cell(a.expected)}, found ${cell(a.found)}`);
  }
  const b = r.baseline;
  if (b) {
    const regress = regressionLines(r);
    lines.push(
      '',
      regress.length ? `### Regressed since ${shortDate(b.date)}` : `### No regression since ${shortDate(b.date)}`,
      '',
      `Baseline: ${cell(b.source)}, run \`${b.runId}\` (${b.verdict}).`,
      ...(modelWarning(r) ? ['', `> **${cell(modelWarning(r)!)}**`] : []),
      '',
      '| Analyzer | Unit | Baseline | Now | Change | Trend (oldest → now) |',
      '| --- | --- | --- | --- | --- | --- |',
      ...Object.entries(b.perAnalyzer)
        .filter(([, c]) => c.now !== null || c.base !== null)
        .map(
          ([id, c]) =>
            `| ${c.worse ? '🔺 ' : ''}\`${id}\` | ${cell(c.unit ?? '—')} | ${num(c.base)} | ${num(c.now)} | ${c.change === null ? '—' : `${c.change > 0 ? '+' : ''}${num(c.change)}`} | ${spark(b.history.map((h) => h.values[id]?.value ?? null))} |`,
        ),
    );
    if (regress.length) lines.push('', ...regress.map((l) => `- ${cell(l)}`));
  }
  const recs = r.findings.filter((f) => f.recommendation);
  if (recs.length) {
    lines.push('', '### What to change', '');
    for (const f of recs)
      lines.push(
        `- **${f.id}**: ${cell(f.recommendation!)} ${f.verifiedFix ? `**${cell(f.verifiedFix.text)}**` : '_(advice, not tested: `nnaudit fix` verifies repairs)_'}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
