import type { AuditResult } from '../result/schema.js';
import { sparkline } from './charts/sparkline.js';
import { STATUS_LABEL } from '../result/vocabulary.js';

export interface TrendRow {
  id: string;
  /** What the numbers measure, as the analyzer records it ("fraction of units dead (worst layer)"). */
  unit: string;
  now: string;
  base: string;
  change: string;
  worse: boolean;
  better: boolean;
  statusNow: string;
  statusBase: string;
  spark: string;
}
export interface TrendView {
  heading: string;
  short: string;
  regressed: string[];
  rows: TrendRow[];
  runs: number;
  /** "Baseline is a different model: ..." when the result records that it is; null for the same model. */
  modelWarning: string | null;
}

const fmt = (v: number | null): string =>
  v === null
    ? '—'
    : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5
      ? String(Number(v.toPrecision(3)))
      : v === 0
        ? '0'
        : v.toExponential(2);
const signed = (v: number | null): string => (v === null ? '—' : `${v > 0 ? '+' : ''}${fmt(v)}`);
export const shortDate = (iso: string): string => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

/**
 * One line per regression, for text outputs, with the value's unit:
 * "dead-relu, fraction of units dead (worst layer): 0.05 -> 0.62 (+0.57), pass -> fail".
 */
export function regressionLines(r: AuditResult): string[] {
  const b = r.baseline;
  if (!b) return [];
  return b.regressed.map((id) => {
    const c = b.perAnalyzer[id]!;
    return `${id}${c.unit ? `, ${c.unit}` : ''}: ${fmt(c.base)} -> ${fmt(c.now)} (${signed(c.change)})${c.statusBase && c.statusBase !== c.statusNow ? `, ${c.statusBase} -> ${c.statusNow}` : ''}`;
  });
}

/**
 * Said wherever the comparison is shown when the baseline is a different model (another name, parameter count,
 * input or layers): its numbers are not this model's history, so a change is not a regression of this model.
 */
export function modelWarning(r: AuditResult): string | null {
  const d = r.baseline?.modelDifferences ?? [];
  return d.length ? `Baseline is a different model: ${d.join('; ')}` : null;
}

/** The baseline comparison as the report shows it: per analyzer now, base, change and the last runs' trend. */
export function trendView(r: AuditResult): TrendView | null {
  const b = r.baseline;
  if (!b) return null;
  const rows = Object.entries(b.perAnalyzer).map(([id, c]): TrendRow => {
    const series = b.history.map((h) => h.values[id]?.value ?? null);
    return {
      id,
      unit: c.unit ?? '',
      now: fmt(c.now),
      base: fmt(c.base),
      change: signed(c.change),
      worse: c.worse,
      better:
        !c.worse &&
        c.statusBase !== null &&
        c.statusBase !== c.statusNow &&
        (c.statusBase === 'fail' || c.statusBase === 'warn'),
      statusNow: STATUS_LABEL[c.statusNow],
      statusBase: c.statusBase ? STATUS_LABEL[c.statusBase] : '—',
      spark: sparkline(series, c.worse, `${id} over the last ${series.length} runs`),
    };
  });
  rows.sort((a, b2) => Number(b2.worse) - Number(a.worse));
  const when = shortDate(b.date);
  // "--baseline x.json" printed in a heading broke at its hyphens: the file is enough, the flag is implied.
  const source = b.source.replace(/^--baseline\s+/, '');
  return {
    heading: b.regressed.length
      ? `Regressed since ${when}: ${b.regressed.join(', ')} got worse (baseline: ${source}, run ${b.runId}, ${b.verdict})`
      : `No regression since ${when} (baseline: ${source}, run ${b.runId}, ${b.verdict})`,
    short: b.regressed.length ? `Regressed since ${when}: ${b.regressed.join(', ')}` : `No regression since ${when}`,
    regressed: b.regressed,
    rows,
    runs: b.history.length,
    modelWarning: modelWarning(r),
  };
}
