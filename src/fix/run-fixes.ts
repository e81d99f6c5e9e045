import type { Spec } from '../config/spec-schema.js';
import type { AuditResult } from '../result/schema.js';
import { SpecError } from '../errors.js';
import { failingIds, judgeTrial, planCandidates, rankTrials, summarize, type Candidate, type Trial, type TrialOutcome } from './plan.js';

export interface FixOptions {
  /** Retrains at most this many candidates (default 12). */
  maxTrials?: number;
  /** Starts no new candidate after this many milliseconds (default 15 minutes). */
  timeBudgetMs?: number;
  /** Greedy rounds: a repair that clears some findings is combined with repairs for the rest (default 3). */
  maxRounds?: number;
  /**
   * Trains and audits one candidate spec. In-process by default (the caller passes audit with fail-fast on, so a
   * candidate that is still broken stops early); a queue-backed runner can be injected here.
   */
  runTrial: (spec: Spec) => Promise<AuditResult>;
  onTrial?: (t: Trial, index: number) => void;
}

export interface FixReport {
  before: TrialOutcome;
  /** Failing findings of the original run. */
  failing: string[];
  trials: Trial[];
  /** Accepted trials, best first. */
  ranked: Trial[];
  /** The best accepted trial whose audit passes the gate, else the best accepted one, else null. */
  best: Trial | null;
  /** Candidates left untried because the budget ran out. */
  untried: number;
}

/**
 * Verified fixes: for each failing finding of `baseline`, retrains with each repair its analyzer declares, keeps the
 * candidates that clear a finding without a new failure, and (when none passes the gate) combines the best one with
 * repairs for what still fails, for up to `maxRounds` rounds, within the trial and time budget.
 *
 * @example
 *   const report = await findFixes(spec, baseline, { runTrial: (s) => audit(s, { baseDir, failFast: true }) });
 */
export async function findFixes(spec: Spec, baseline: AuditResult, options: FixOptions): Promise<FixReport> {
  if (!('train' in spec.model)) {
    throw new SpecError('model.load: nnaudit fix retrains the model, so it needs a spec that builds one (model.train); for a saved model, follow the recommendations');
  }
  const maxTrials = options.maxTrials ?? 12;
  const budget = options.timeBudgetMs ?? 15 * 60_000;
  const start = performance.now();
  const before = summarize(baseline);
  const failing = failingIds(before);
  const trials: Trial[] = [];
  let untried = 0;
  let queue: Candidate[] = planCandidates(spec, failing);
  for (let round = 0; round < (options.maxRounds ?? 3) && queue.length > 0; round++) {
    for (const [i, c] of queue.entries()) {
      if (trials.length >= maxTrials || performance.now() - start > budget) { untried += queue.length - i; break; }
      const t0 = performance.now();
      const trial = judgeTrial(c, before, summarize(await options.runTrial(c.spec)), (performance.now() - t0) / 1000);
      trials.push(trial);
      options.onTrial?.(trial, trials.length);
    }
    const ranked = rankTrials(trials);
    if (ranked[0]?.gatePassed || ranked.length === 0 || untried > 0) break;
    // Greedy: keep the best partial fix and try the repairs of what it left failing on top of it.
    const base = ranked[0]!;
    const tried = new Set(trials.map((t) => t.repairs.map((r) => r.id).join('+')));
    queue = planCandidates(base.spec, failingIds(base), base.repairs).filter((c) => !tried.has(c.repairs.map((r) => r.id).join('+')));
  }
  const ranked = rankTrials(trials);
  return { before, failing, trials, ranked, best: ranked[0] ?? null, untried };
}
