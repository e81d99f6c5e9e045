import { describe, expect, it } from 'vitest';
import { applyBaseline } from '../../src/gate/apply-baseline.js';
import { composeEmail } from '../../src/notify/email.js';
import { markdownSummary } from '../../src/report/markdown.js';
import { summaryText } from '../../src/report/summary-text.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { regressionLines, trendView } from '../../src/report/trend-view.js';
import type { AuditResult } from '../../src/result/schema.js';
import { sampleResult } from '../helpers/results.js';

/** The healthy sample as run n of a nightly audit (its own id and date). */
function run(n: number, name = 'healthy'): AuditResult {
  const r = sampleResult(name);
  r.run = { ...r.run, id: `run-${n}`, startedAt: `2026-11-2${n}T02:00:00.000Z` };
  return r;
}

describe('trends: chained baselines, units, and a baseline of another model', () => {
  it('a chain run1 <- run2 <- run3 through --baseline shows all 3 runs, not the last 2', () => {
    const r2 = applyBaseline(run(2), run(1), '--baseline run1/result.json');
    const r3 = applyBaseline(run(3), r2, '--baseline run2/result.json');
    expect(r3.baseline!.history.map((h) => h.runId)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(trendView(r3)!.runs).toBe(3);
    expect(renderHtml(r3)).toContain('Last 3 runs');
  });

  it('shows each value with its unit: report table, Markdown and the regression lines', () => {
    const base = run(1);
    const now = run(2);
    const f = now.findings.find((x) => x.id === 'dead-relu')!;
    Object.assign(f, { status: 'fail', score: 0, numericValue: 0.62 });
    const r = applyBaseline(now, base, 'test');
    const unit = f.numericUnit!;
    expect(unit).toBe('fraction of units dead (worst layer)');
    expect(trendView(r)!.rows.find((x) => x.id === 'dead-relu')!.unit).toBe(unit);
    expect(renderHtml(r)).toContain(`<div class="unit">${unit}</div>`);
    expect(markdownSummary(r)).toMatch(new RegExp(`\`dead-relu\` \\| ${unit.replace(/[()]/g, '\\$&')} \\|`));
    expect(regressionLines(r)[0]).toMatch(/^dead-relu, fraction of units dead \(worst layer\): [\d.]+ -> 0\.62/);
  });

  it('flags a baseline of a different model in every output instead of comparing silently', () => {
    const r = applyBaseline(run(2, 'dead-relu'), run(1, 'healthy'), '--baseline healthy/result.json');
    expect(r.baseline!.modelDifferences).toEqual(['name healthy at baseline, dead-relu now']);
    const line = 'Baseline is a different model: name healthy at baseline, dead-relu now';
    expect(renderHtml(r)).toContain(line);
    expect(markdownSummary(r)).toContain(line);
    expect(summaryText(r)).toContain(line);
    expect(composeEmail(r).text).toContain(line);
    // Parameter count and layers are compared too (a loaded wine model against the healthy spec's network).
    const other = applyBaseline(run(2, 'wine-loaded'), run(1, 'healthy'), 'test').baseline!.modelDifferences!;
    expect(other.join('; ')).toMatch(/1,185 parameters at baseline, 275 now/);
    expect(other.join('; ')).toMatch(/3 layers at baseline, 2 now/);
    // The same model says nothing.
    const same = applyBaseline(run(2), run(1), 'test');
    expect(same.baseline!.modelDifferences).toEqual([]);
    expect(renderHtml(same)).not.toContain('different model');
  });
});
