import { z } from 'zod';
import { STATUSES, VERDICTS, type Status } from './vocabulary.js';
import type { AuditResult } from './schema.js';
import { modelDifferences } from './model-identity.js';

/** One earlier run of the same audit, as the trend needs it: when, which verdict, each analyzer's value. */
export const runSummarySchema = z.object({
  runId: z.string(),
  date: z.string(),
  verdict: z.enum(VERDICTS),
  values: z.record(z.string(), z.object({ value: z.number().nullable(), status: z.enum(STATUSES) })),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/**
 * The comparison with a baseline run (the previous run of the same name in the queue, or --baseline), kept in
 * the result so every output (HTML, PDF, terminal, Markdown, email, gate) reads it from the result alone.
 */
export const baselineSchema = z.object({
  runId: z.string(),
  date: z.string(),
  verdict: z.enum(VERDICTS),
  /** Where the baseline came from: "--baseline <file>" or "previous run of <name>". */
  source: z.string(),
  perAnalyzer: z.record(
    z.string(),
    z.object({
      now: z.number().nullable(),
      base: z.number().nullable(),
      /** now - base; null when either side has no value. */
      change: z.number().nullable(),
      statusNow: z.enum(STATUSES),
      statusBase: z.enum(STATUSES).nullable(),
      unit: z.string().nullable(),
      /** The status got worse, or the score dropped by more than SCORE_DROP. */
      worse: z.boolean(),
    }),
  ),
  /** Analyzer ids that got worse, worst status first. */
  regressed: z.array(z.string()),
  /** The last runs of this name, oldest first, ending with this one: the trend charts draw these. */
  history: z.array(runSummarySchema),
  /**
   * What makes the baseline a different model (name, parameter count, input shape, layers), each "X at baseline,
   * Y now"; empty or absent (results written before it was recorded) when it is the same model.
   */
  modelDifferences: z.array(z.string()).optional(),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** A score drop that counts as worse even when the status did not change (noise between seeds is below this). */
export const SCORE_DROP = 0.1;
/** Runs kept in a result's trend. */
export const TREND_RUNS = 10;

const RANK: Record<Status, number> = { pass: 0, notApplicable: 0, warn: 1, fail: 2, error: 2 };

export function summarizeRun(r: AuditResult): RunSummary {
  return {
    runId: r.run.id,
    date: r.run.startedAt,
    verdict: r.gate.verdict,
    values: Object.fromEntries(r.findings.map((f) => [f.id, { value: f.numericValue, status: f.status }])),
  };
}

/**
 * Compares a result with its baseline, per analyzer. Pure: the caller finds the baseline (file or queue history).
 * `earlier` are summaries of earlier runs (any order, the baseline among them or not) for the trend.
 *
 * @example
 *   const b = compareWithBaseline(now, previous, 'previous run of nightly', history);
 *   b.regressed // ['dead-relu']
 */
export function compareWithBaseline(
  now: AuditResult,
  base: AuditResult,
  source: string,
  earlier: RunSummary[] = [],
): Baseline {
  const perAnalyzer: Baseline['perAnalyzer'] = {};
  for (const f of now.findings) {
    const b = base.findings.find((x) => x.id === f.id);
    const worse =
      b !== undefined &&
      (RANK[f.status] > RANK[b.status] || (f.score !== null && b.score !== null && b.score - f.score > SCORE_DROP));
    perAnalyzer[f.id] = {
      now: f.numericValue,
      base: b?.numericValue ?? null,
      change: f.numericValue !== null && b?.numericValue != null ? f.numericValue - b.numericValue : null,
      statusNow: f.status,
      statusBase: b?.status ?? null,
      unit: f.numericUnit,
      worse,
    };
  }
  const regressed = Object.entries(perAnalyzer)
    .filter(([, v]) => v.worse)
    .sort(([, a], [, b]) => RANK[b.statusNow] - RANK[a.statusNow])
    .map(([id]) => id);
  // The baseline's own trend comes along, so a chain of --baseline runs (run 3 against 2, 2 against 1) shows all three.
  const byId = new Map([...(base.baseline?.history ?? []), ...earlier, summarizeRun(base)].map((s) => [s.runId, s]));
  byId.delete(now.run.id);
  const history = [...byId.values()].sort((a, b) => a.date.localeCompare(b.date)).slice(-(TREND_RUNS - 1));
  return {
    runId: base.run.id,
    date: base.run.startedAt,
    verdict: base.gate.verdict,
    source,
    perAnalyzer,
    regressed,
    history: [...history, summarizeRun(now)],
    modelDifferences: modelDifferences(now, base),
  };
}
