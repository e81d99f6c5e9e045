import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithBaseline, summarizeRun } from '../../src/result/baseline.js';
import { applyBaseline } from '../../src/gate/apply-baseline.js';
import { evaluateGate } from '../../src/gate/gate.js';
import { composeEmail } from '../../src/notify/email.js';
import { markdownSummary } from '../../src/report/markdown.js';
import { summaryText } from '../../src/report/summary-text.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import type { AuditResult } from '../../src/result/schema.js';
import { sampleResult } from '../helpers/results.js';
import { runCli, ROOT } from '../helpers/cli.js';

/** Two runs of "the same" audit: the healthy sample, and the same with dead-relu worsened to a failure. */
function pair(deadNow = 0.62): { base: AuditResult; now: AuditResult } {
  const base = sampleResult('healthy');
  const now = sampleResult('healthy');
  now.run = { ...now.run, id: 'run-2', startedAt: '2026-11-28T02:00:00.000Z' };
  base.run = { ...base.run, id: 'run-1', startedAt: '2026-11-27T02:00:00.000Z' };
  const f = now.findings.find((x) => x.id === 'dead-relu')!;
  Object.assign(f, { status: 'fail', score: 0, numericValue: deadNow, displayValue: `${deadNow * 100}% dead` });
  now.spec = {
    ...now.spec,
    gate: { preset: 'recommended', assertions: { 'dead-relu': ['error', { maxIncrease: 0.1 }] } },
  };
  return { base, now };
}

describe('trends against a baseline run', () => {
  it('compares per analyzer: now, baseline, change, and what got worse', () => {
    const { base, now } = pair();
    const b = compareWithBaseline(now, base, 'test');
    const baseValue = base.findings.find((x) => x.id === 'dead-relu')!.numericValue!;
    expect(b.perAnalyzer['dead-relu']).toMatchObject({
      now: 0.62,
      base: baseValue,
      statusNow: 'fail',
      statusBase: 'pass',
      worse: true,
    });
    expect(b.perAnalyzer['dead-relu']!.change).toBeCloseTo(0.62 - baseValue, 10);
    expect(b.regressed).toEqual(['dead-relu']);
    expect(b.history.map((h) => h.runId)).toEqual(['run-1', 'run-2']);
    // The same run against itself: nothing got worse.
    expect(compareWithBaseline(base, base, 'self').regressed).toEqual([]);
  });

  it('keeps the last runs, oldest first, for the trend', () => {
    const { base, now } = pair();
    const older = Array.from({ length: 12 }, (_, i) => ({
      ...summarizeRun(base),
      runId: `old-${i}`,
      date: `2026-11-${String(10 + i).padStart(2, '0')}T02:00:00.000Z`,
    }));
    const b = compareWithBaseline(now, base, 'test', older);
    expect(b.history).toHaveLength(10);
    expect(b.history[b.history.length - 1]!.runId).toBe('run-2');
    expect(b.history.map((h) => h.date)).toEqual([...b.history.map((h) => h.date)].sort());
  });

  it('maxIncrease fails when the value rose by more than the budget, passes within it and without a baseline', () => {
    const { base, now } = pair();
    const judged = applyBaseline(now, base, 'test');
    const a = judged.gate.assertions.find((x) => x.id === 'dead-relu')!;
    expect(a).toMatchObject({ passed: false, level: 'error', expected: 'increase since 2026-11-27 <= 0.1' });
    expect(a.found).toMatch(/ -> 0\.62 \(\+/);
    expect(judged.gate).toMatchObject({ verdict: 'FAIL', exitCode: 1 });
    const small = pair(base.findings.find((x) => x.id === 'dead-relu')!.numericValue! + 0.05);
    const ok = applyBaseline(small.now, small.base, 'test').gate.assertions.find((x) => x.id === 'dead-relu')!;
    expect(ok.passed).toBe(true);
    const first = evaluateGate(now.findings, {
      preset: 'recommended',
      assertions: { 'dead-relu': ['error', { maxIncrease: 0.1 }] },
    });
    expect(first.assertions.find((x) => x.id === 'dead-relu')).toMatchObject({
      passed: true,
      found: 'no baseline run to compare with',
    });
  });

  it('every output says what got worse, with both numbers', () => {
    const { base, now } = pair();
    const r = applyBaseline(now, base, 'previous run of nightly');
    const baseValue = String(Number(base.findings.find((x) => x.id === 'dead-relu')!.numericValue!.toPrecision(3)));
    const both = `dead-relu, fraction of units dead (worst layer): ${baseValue} -> 0.62`;
    const mail = composeEmail(r);
    expect(mail.subject).toBe(`[nnaudit] ${r.model.name}: FAIL, regressed since 2026-11-27 02:00 UTC (dead-relu)`);
    expect(mail.text).toContain(both);
    expect(summaryText(r)).toContain(both);
    expect(summaryText(r)).toContain('Regressed since 2026-11-27 02:00 UTC');
    expect(markdownSummary(r)).toContain('### Regressed since 2026-11-27 02:00 UTC');
    expect(markdownSummary(r)).toMatch(
      new RegExp(
        `\\| 🔺 \`dead-relu\` \\| fraction of units dead \\(worst layer\\) \\| ${baseValue.replace('.', '\\.')} \\| 0\\.62 \\|`,
      ),
    );
    const html = renderHtml(r);
    expect(html).toContain('Regressed since 2026-11-27 02:00 UTC: dead-relu');
    expect(html).toMatch(/aria-label="dead-relu over the last 2 runs"/);
    // Without a baseline nothing changes: the plain subject, no trend.
    expect(composeEmail(base).subject).toBe(`[nnaudit] ${base.model.name}: PASS`);
    expect(renderHtml(base)).not.toContain('class="trend-table"');
  });

  it('nnaudit render --baseline compares two stored results; a missing baseline file exits 2 naming it', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-trend-'));
    const ok = await runCli([
      'render',
      path.join(ROOT, 'fixtures/results/dead-relu.json'),
      '--baseline',
      path.join(ROOT, 'fixtures/results/healthy.json'),
      '--out',
      out,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/Regressed since [^<]*dead-relu/);
    const bad = await runCli([
      'render',
      path.join(ROOT, 'fixtures/results/dead-relu.json'),
      '--baseline',
      path.join(out, 'nope.json'),
      '--out',
      out,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('nope.json');
  });

  it('a result with a baseline round-trips through the schema', () => {
    const { base, now } = pair();
    const r = applyBaseline(now, base, 'test');
    expect(upgradeResult(JSON.parse(JSON.stringify(r))).baseline?.regressed).toEqual(['dead-relu']);
  });
});
