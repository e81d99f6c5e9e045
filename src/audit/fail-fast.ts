import type { Artifacts } from '../artifacts/schema.js';
import { ANALYZERS } from '../analyzers/index.js';
import { runAnalyzers, type AnalyzerSettings } from './run-analyzers.js';
import { evaluateGate, type GateConfig } from '../gate/gate.js';
import type { ShouldStop, StopDecision } from '../gather/train/early-stop.js';

/**
 * The fail-fast judge gather calls after each of its probes: runs the analyzers that can judge a partly trained
 * run (meta.failFast) on the artifacts so far, and stops once one of them has failed an error-level gate assertion
 * at its number of consecutive probes. Only error-level failures stop a run: a stopped run's verdict is FAIL, so a
 * warn-level finding must never end it. Stateful (it counts streaks): make one per training run.
 *
 * @example
 *   await gather(spec, { shouldStop: failFastJudge(spec.analyzers, spec.gate) });
 */
export function failFastJudge(settings: AnalyzerSettings, gate: GateConfig): ShouldStop {
  const early = ANALYZERS.filter((a) => a.meta.failFast && settings[a.meta.id] !== false);
  // Analyzers that need the whole run are switched off here: judging them on a partial run means nothing.
  const partialSettings: AnalyzerSettings = { ...settings };
  for (const a of ANALYZERS) if (!a.meta.failFast) partialSettings[a.meta.id] = false;
  const streak = new Map<string, number>();
  return (partial: Artifacts): StopDecision | null => {
    const findings = runAnalyzers(partial, partialSettings);
    const failed = new Set(
      evaluateGate(findings, gate)
        .assertions.filter((a) => !a.passed && a.level === 'error')
        .map((a) => a.id),
    );
    let decision: StopDecision | null = null;
    for (const a of early) {
      const f = findings.find((x) => x.id === a.meta.id);
      const holds = f !== undefined && f.status === 'fail' && failed.has(a.meta.id);
      const n = holds ? (streak.get(a.meta.id) ?? 0) + 1 : 0;
      streak.set(a.meta.id, n);
      if (!decision && holds && n >= a.meta.failFast!.probes) {
        decision = { analyzer: a.meta.id, reason: `${f.displayValue} (${a.meta.failFast!.reason})` };
      }
    }
    return decision;
  };
}
