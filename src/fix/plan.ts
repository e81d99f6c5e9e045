/**
 * Pure planning and judging for verified fixes: which repairs to try, whether a retrained candidate cleared its
 * findings without a new failure, and how candidates rank. No tfjs, no I/O: the runner (run-fixes.ts) trains.
 */
import { REPAIR_BY_ID } from './spec-patches.js';
import { findAnalyzer } from '../analyzers/index.js';
import type { Spec } from '../config/spec-schema.js';
import type { AuditResult, Finding } from '../result/schema.js';

/** What a trial keeps of its audit: enough to judge and report, not the whole result. */
export interface TrialOutcome {
  findings: Record<string, Pick<Finding, 'status' | 'numericValue' | 'numericUnit' | 'displayValue'>>;
  verdict: AuditResult['gate']['verdict'];
  gatePassed: boolean;
  /** Training stopped early by fail-fast: some findings were not judged, so it cannot count as a fix. */
  stoppedEarly: boolean;
  metric: Metric;
  /** The candidate's run failed (a tfjs error, an input check, a failed queue job): it clears nothing. */
  error?: string;
}

export interface Metric {
  name: string;
  value: number | null;
}

export interface Candidate {
  /** Repairs applied, in order (more than one after a greedy round). */
  repairs: Array<{ id: string; title: string }>;
  spec: Spec;
  /** Failing findings whose analyzers proposed the last repair. */
  targets: string[];
}

export interface Trial extends Candidate, TrialOutcome {
  seconds: number;
  /** Findings failing before that no longer fail. */
  cleared: string[];
  /** Findings failing now that did not fail before. */
  newFailures: string[];
  /** Clears at least one failing finding, adds no new failure, and judged the whole run. */
  accepted: boolean;
}

export function summarize(r: AuditResult): TrialOutcome {
  return {
    findings: Object.fromEntries(
      r.findings.map((f) => [
        f.id,
        { status: f.status, numericValue: f.numericValue, numericUnit: f.numericUnit, displayValue: f.displayValue },
      ]),
    ),
    verdict: r.gate.verdict,
    gatePassed: r.gate.passed,
    stoppedEarly: r.training.stoppedEarly !== undefined,
    metric: validationMetric(r),
  };
}

const tail = (v: Array<number | null> | undefined): number | null => {
  const xs = (v ?? []).slice(-3).filter((x): x is number => x !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
};

/** The ranking metric: validation accuracy (mean of the last 3 epochs), else minus the validation loss, else minus the training loss. */
/** The outcome of a candidate whose run threw: judged as clearing nothing, reported with its error. */
export function failedOutcome(metricName: string, error: string): TrialOutcome {
  return {
    findings: {},
    verdict: 'FAIL',
    gatePassed: false,
    stoppedEarly: false,
    metric: { name: metricName, value: null },
    error,
  };
}

export function validationMetric(r: AuditResult): Metric {
  const s = r.training.history?.series ?? {};
  if (s['val_accuracy']) return { name: 'val_accuracy', value: tail(s['val_accuracy']) };
  if (s['val_loss']) return { name: '-val_loss', value: negate(tail(s['val_loss'])) };
  return { name: '-loss', value: negate(tail(s['loss'])) };
}
const negate = (v: number | null) => (v === null ? null : -v);

export function failingIds(o: Pick<TrialOutcome, 'findings'>): string[] {
  return Object.entries(o.findings)
    .filter(([, f]) => f.status === 'fail')
    .map(([id]) => id);
}

/**
 * One candidate per applicable repair of the failing findings' analyzers (each repair once, in the order the
 * findings and their analyzers list them), applied on top of `base`. Repairs already in `applied` are skipped.
 */
export function planCandidates(
  base: Spec,
  failing: string[],
  applied: Array<{ id: string; title: string }> = [],
): Candidate[] {
  const byRepair = new Map<string, Candidate>();
  for (const id of failing) {
    for (const repair of (findAnalyzer(id)?.meta.repairs ?? []).map((r) => REPAIR_BY_ID[r])) {
      if (applied.some((a) => a.id === repair.id)) continue;
      const known = byRepair.get(repair.id);
      if (known) {
        known.targets.push(id);
        continue;
      }
      const spec = repair.patch(base);
      if (spec === null) continue;
      byRepair.set(repair.id, { repairs: [...applied, { id: repair.id, title: repair.title }], spec, targets: [id] });
    }
  }
  return [...byRepair.values()];
}

/** Judges a retrained candidate against the original run's failing findings. */
export function judgeTrial(
  candidate: Candidate,
  before: Pick<TrialOutcome, 'findings'>,
  after: TrialOutcome,
  seconds: number,
): Trial {
  const failedBefore = new Set(failingIds(before));
  const failedAfter = new Set(failingIds(after));
  const cleared =
    after.stoppedEarly || after.error !== undefined ? [] : [...failedBefore].filter((id) => !failedAfter.has(id));
  const newFailures = [...failedAfter].filter((id) => !failedBefore.has(id));
  return {
    ...candidate,
    ...after,
    seconds,
    cleared,
    newFailures,
    accepted: !after.stoppedEarly && after.error === undefined && cleared.length > 0 && newFailures.length === 0,
  };
}

/** Accepted trials, best first: the gate passes, more findings cleared, then the higher validation metric. */
export function rankTrials(trials: Trial[]): Trial[] {
  const metric = (t: Trial) => t.metric.value ?? -Infinity;
  return trials
    .filter((t) => t.accepted)
    .sort(
      (a, b) =>
        Number(b.gatePassed) - Number(a.gatePassed) ||
        b.cleared.length - a.cleared.length ||
        metric(b) - metric(a) ||
        a.repairs.length - b.repairs.length,
    );
}

const num = (v: number | null) =>
  v === null
    ? 'n/a'
    : Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4
      ? Number(v.toPrecision(3)).toString()
      : v.toExponential(1);

/** "verified: with heNormal ... the dead fraction falls from 1 to 0.03 (now pass) and val_accuracy rises 0.51 -> 0.97". */
export function verifiedText(id: string, before: TrialOutcome, trial: Trial): string {
  const b = before.findings[id];
  const a = trial.findings[id];
  const what = b?.numericUnit ?? 'value';
  const move = (x: number | null, y: number | null) =>
    x !== null && y !== null && y < x ? 'falls' : x !== null && y !== null && y > x ? 'rises' : 'goes';
  const value =
    b && a
      ? ` the ${what} ${move(b.numericValue, a.numericValue)} from ${num(b.numericValue)} to ${num(a.numericValue)} (now ${a.status})`
      : ` ${id} is now ${a?.status ?? 'not reported'}`;
  const m = ` and ${trial.metric.name} ${move(before.metric.value, trial.metric.value)} ${num(before.metric.value)} -> ${num(trial.metric.value)}`;
  return `verified: with ${trial.repairs.map((r) => r.title).join(' + ')}${value}${m}`;
}

/** Marks each failing finding with the best accepted trial that cleared it (mutates and returns the result). */
export function attachVerifiedFixes(result: AuditResult, trials: Trial[]): AuditResult {
  const before = summarize(result);
  const ranked = rankTrials(trials);
  for (const f of result.findings) {
    const best = ranked.find((t) => t.cleared.includes(f.id));
    if (!best) continue;
    f.verifiedFix = {
      repair: best.repairs.map((r) => r.id).join('+'),
      title: best.repairs.map((r) => r.title).join(' + '),
      before: f.numericValue,
      after: best.findings[f.id]?.numericValue ?? null,
      metric: best.metric.name,
      metricBefore: before.metric.value,
      metricAfter: best.metric.value,
      text: verifiedText(f.id, before, best),
    };
  }
  return result;
}
