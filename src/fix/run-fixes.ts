import type { Spec } from '../config/spec-schema.js';
import type { AuditResult } from '../result/schema.js';
import { errorMessage, SpecError, UserInputError } from '../errors.js';
import {
  failedOutcome,
  failingIds,
  judgeTrial,
  planCandidates,
  rankTrials,
  summarize,
  type Candidate,
  type Trial,
  type TrialOutcome,
} from './plan.js';

/** Thrown by a runTrial whose candidate was withdrawn before it started (the budget ran out while it waited). */
export class TrialCancelled extends Error {
  constructor(what: string) {
    super(`${what} was cancelled before it started`);
    this.name = 'TrialCancelled';
  }
}

/** The runner itself cannot run trials (no worker, results out of reach): the whole fix stops, with a hint. */
export class TrialRunnerUnavailable extends UserInputError {
  constructor(message: string) {
    super('queue', message);
  }
}

export interface FixOptions {
  /** Retrains at most this many candidates (default 12). */
  maxTrials?: number;
  /** Starts no new candidate after this many milliseconds (default 15 minutes). */
  timeBudgetMs?: number;
  /** Greedy rounds: a repair that clears some findings is combined with repairs for the rest (default 3). */
  maxRounds?: number;
  /**
   * Candidates trained at once (default 1: in-process training is one CPU-bound run at a time). A queue-backed
   * runTrial sets it to the worker pool's audit slots.
   */
  concurrency?: number;
  /**
   * Trains and audits one candidate spec (fail-fast on, so a candidate that is still broken stops early):
   * in-process (fix-spec.ts) or as a job on the queue (queue-trials.ts). `signal` aborts when the time budget is
   * spent: a candidate not started yet should then throw TrialCancelled (it counts as untried); one already
   * training may finish.
   */
  runTrial: (spec: Spec, signal: AbortSignal) => Promise<AuditResult>;
  onTrial?: (t: Trial, index: number) => void;
}

export interface FixReport {
  before: TrialOutcome;
  /** Failing findings of the original run. */
  failing: string[];
  /** In the order the candidates were planned, whatever order they finished in. */
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
 * repairs for what still fails, for up to `maxRounds` rounds, within the trial and time budget. Up to `concurrency`
 * candidates of a round train at once; a candidate whose run throws is a rejected trial with its error, not the end.
 *
 * @example
 *   const report = await findFixes(spec, baseline, { runTrial: (s) => audit(s, { baseDir, failFast: true }) });
 */
export async function findFixes(spec: Spec, baseline: AuditResult, options: FixOptions): Promise<FixReport> {
  if (!('train' in spec.model)) {
    throw new SpecError(
      'model.load: nnaudit fix retrains the model, so it needs a spec that builds one (model.train); for a saved model, follow the recommendations',
    );
  }
  const maxTrials = options.maxTrials ?? 12;
  const budget = options.timeBudgetMs ?? 15 * 60_000;
  const lanes = Math.max(1, Math.floor(options.concurrency ?? 1));
  const start = performance.now();
  const before = summarize(baseline);
  const failing = failingIds(before);
  const trials: Trial[] = [];
  let untried = 0;
  // Aborted when the time budget is spent: queued candidates that have not started are withdrawn.
  const spent = new AbortController();
  const timer = setTimeout(() => spent.abort(), Math.max(0, budget));
  try {
    let queue: Candidate[] = planCandidates(spec, failing);
    for (let round = 0; round < (options.maxRounds ?? 3) && queue.length > 0; round++) {
      const done = await runRound(queue, trials.length);
      trials.push(...done.trials);
      untried += done.untried;
      const ranked = rankTrials(trials);
      if (ranked[0]?.gatePassed || ranked.length === 0 || untried > 0) break;
      // Greedy: keep the best partial fix and try the repairs of what it left failing on top of it.
      const base = ranked[0]!;
      const tried = new Set(trials.map((t) => t.repairs.map((r) => r.id).join('+')));
      queue = planCandidates(base.spec, failingIds(base), base.repairs).filter(
        (c) => !tried.has(c.repairs.map((r) => r.id).join('+')),
      );
    }
  } finally {
    clearTimeout(timer);
  }
  const ranked = rankTrials(trials);
  return { before, failing, trials, ranked, best: ranked[0] ?? null, untried };

  async function runRound(round: Candidate[], already: number): Promise<{ trials: Trial[]; untried: number }> {
    const results: Array<Trial | undefined> = [];
    let next = 0;
    let started = 0;
    let cancelled = 0;
    let fatal: TrialRunnerUnavailable | null = null;
    const lane = async () => {
      while (next < round.length && already + started < maxTrials && !spent.signal.aborted && !fatal) {
        const i = next++;
        started++;
        const c = round[i]!;
        const t0 = performance.now();
        let after: TrialOutcome;
        try {
          after = summarize(await options.runTrial(c.spec, spent.signal));
        } catch (e) {
          if (e instanceof TrialCancelled) {
            cancelled++;
            continue;
          }
          if (e instanceof TrialRunnerUnavailable) {
            fatal = e;
            break;
          }
          after = failedOutcome(before.metric.name, errorMessage(e));
        }
        const trial = judgeTrial(c, before, after, (performance.now() - t0) / 1000);
        results[i] = trial;
        options.onTrial?.(trial, already + results.filter(Boolean).length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, round.length) }, lane));
    if (fatal) throw fatal;
    return { trials: results.filter((t): t is Trial => t !== undefined), untried: round.length - started + cancelled };
  }
}
