// The words every output shares, defined once: the result schema, the gate, the terminal summary, JUnit,
// Markdown, the HTML report and the CLI options all read them from here, so they cannot drift apart.
// A leaf: imports nothing.

/** A finding's status (the runner derives it from the score; see analyze/run-analyzers.ts). */
export const STATUSES = ['pass', 'warn', 'fail', 'notApplicable', 'error'] as const;
export type Status = (typeof STATUSES)[number];

/** Worst first: the order findings are listed in everywhere (result, terminal, email, report). */
export const STATUS_ORDER: readonly Status[] = ['fail', 'error', 'warn', 'pass', 'notApplicable'];

/** Sort key for a status: 0 for the worst. */
export function statusRank(s: Status): number {
  return STATUS_ORDER.indexOf(s);
}

/** The display word for a status. */
export const STATUS_LABEL: Readonly<Record<Status, string>> = {
  fail: 'FAIL',
  error: 'ERROR',
  warn: 'WARN',
  pass: 'PASS',
  notApplicable: 'N/A',
};

/** Statuses that ask for attention; plain-text outputs print the others in lower case so problems stand out. */
export function isProblem(s: Status): boolean {
  return s === 'fail' || s === 'error' || s === 'warn';
}

/** The label as plain-text outputs print it: FAIL, ERROR, WARN, pass, n/a. */
export function statusBadge(s: Status): string {
  return isProblem(s) ? STATUS_LABEL[s] : STATUS_LABEL[s].toLowerCase();
}

/** Markdown/chat outputs: an emoji before the badge. */
export const STATUS_ICON: Readonly<Record<Status, string>> = {
  fail: '❌',
  error: '💥',
  warn: '⚠️',
  pass: '✅',
  notApplicable: '➖',
};

/** The gate's overall verdict. */
export const VERDICTS = ['PASS', 'WARN', 'FAIL'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Gate presets (built in assert/presets.ts from each analyzer's gateLevel). */
export const PRESET_NAMES = ['recommended', 'strict', 'none'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Assertion levels, Lighthouse CI's. */
export const ASSERTION_LEVELS = ['off', 'warn', 'error'] as const;
export type AssertionLevel = (typeof ASSERTION_LEVELS)[number];

/** Multi-seed aggregation: which run's finding each analyzer reports (median score, worst, best). */
export const AGGREGATES = ['median', 'pessimistic', 'optimistic'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** Ids of evidence other outputs look up (never by title, which is prose and may change). */
export const EVIDENCE_IDS = {
  /** overfitting's training/validation loss curves, with the divergence marker the overview chart reuses. */
  lossCurves: 'loss-curves',
} as const;
