import type { Artifacts } from '../artifacts/schema.js';
import type { Spec } from '../config/spec-schema.js';
import { runAnalyzers } from './run-analyzers.js';
import { assembleResult, type AnalyzeOptions } from './build-result.js';
import type { AuditResult, Finding } from '../result/schema.js';

import type { Aggregate } from '../result/vocabulary.js';

export type { Aggregate };

/**
 * Picks, for each analyzer, the run whose score is the median (lower median), the worst or the best, and reports
 * that run's finding with how often each status occurred. Not-applicable runs count only when all are.
 */
export function aggregateFindings(
  runs: Finding[][],
  seeds: number[],
  how: Aggregate,
): { findings: Finding[]; perAnalyzer: NonNullable<AuditResult['seedRuns']>['perAnalyzer'] } {
  const ids = runs[0]!.map((f) => f.id);
  const perAnalyzer: NonNullable<AuditResult['seedRuns']>['perAnalyzer'] = {};
  const findings = ids.map((id) => {
    const candidates = runs.map((r, i) => ({ f: r.find((x) => x.id === id)!, i }));
    // An analyzer error is the worst outcome; not-applicable runs say nothing about severity.
    const rank = (c: { f: Finding }) => (c.f.status === 'error' ? -1 : (c.f.score ?? Infinity));
    const sorted = [...candidates].sort((a, b) => rank(a) - rank(b));
    const scored = sorted.filter((c) => c.f.score !== null || c.f.status === 'error');
    const pool = scored.length ? scored : sorted;
    const chosen =
      how === 'pessimistic'
        ? pool[0]!
        : how === 'optimistic'
          ? pool[pool.length - 1]!
          : pool[Math.floor((pool.length - 1) / 2)]!;
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(c.f.status, (counts.get(c.f.status) ?? 0) + 1);
    const tally = [...counts.entries()].map(([s, n]) => `${s} ${n}/${runs.length}`).join(', ');
    perAnalyzer[id] = {
      statuses: candidates.map((c) => c.f.status),
      scores: candidates.map((c) => c.f.score),
      chosenSeed: seeds[chosen.i]!,
    };
    return { ...chosen.f, displayValue: `${chosen.f.displayValue} [${how} of ${runs.length} seeds: ${tally}]` };
  });
  return { findings, perAnalyzer };
}

/** The result of a multi-seed audit: aggregated findings, gate on them, every run's statuses in seedRuns. */
export function analyzeSeeds(runs: Artifacts[], spec: Spec, options: AnalyzeOptions = {}): AuditResult {
  const t0 = performance.now();
  const seeds = runs.map((a) => a.seed ?? 0);
  const how = spec.gate.aggregate;
  const { findings, perAnalyzer } = aggregateFindings(
    runs.map((a) => runAnalyzers(a, spec.analyzers)),
    seeds,
    how,
  );
  const result = assembleResult(runs[0]!, findings, { ...options, spec }, t0);
  result.timing['totalMs'] = runs.reduce((s, a) => s + (a.timing['totalMs'] ?? 0), 0);
  result.run.durationMs = result.timing['totalMs']! + (performance.now() - t0);
  return { ...result, seedRuns: { seeds, aggregate: how, perAnalyzer } };
}
