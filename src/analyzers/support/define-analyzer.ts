import type { Artifacts, ArtifactKind } from '../../artifacts/schema.js';
import type { Evidence } from '../../result/evidence.js';
import type { Status } from '../../result/schema.js';
/**
 * Repairs `nnaudit fix` can try, by id: each is a spec patch in src/fix/spec-patches.ts (the fix room imports
 * analyzers, not the other way round, so analyzers name repairs and never see specs).
 */
export const REPAIR_IDS = [
  'he-init',
  'leaky-relu',
  'batch-norm',
  'lr-down',
  'lr-up',
  'clip-gradients',
  'standardize-inputs',
  'match-output',
  'fewer-layers',
  'relu-he',
  'glorot-init',
  'add-hidden-layers',
  'adam',
  'more-epochs',
  'fewer-epochs',
  'dropout',
  'smaller-layers',
  'relu-hidden',
] as const;
export type RepairId = (typeof REPAIR_IDS)[number];

export interface ThresholdDef {
  default: number;
  /** What the number means and where it comes from (a paper, a prior tool, or our tuning). */
  source: string;
}

export interface AnalyzerMeta {
  id: string;
  /** Shown when it passes. */
  title: string;
  /** Shown when it does not. */
  failureTitle: string;
  /** Why it matters, in two sentences. */
  description: string;
  requiredArtifacts: ArtifactKind[];
  /**
   * The assertion level the `recommended` gate preset gives this analyzer: 'error' fails the gate on a
   * failing finding, 'warn' only reports it (for analyzers that name a likely cause, not harm itself).
   * Required, so a new analyzer cannot be silently left out of the gate.
   */
  gateLevel: 'error' | 'warn';
  /**
   * Analyzers whose findings this one reads (context.findings), to cite a cause only when it holds in the same
   * result. The runner runs these first; a cycle is a programming error caught by the registry test.
   */
  after?: string[];
  /**
   * Set when the analyzer can judge from a partly trained run: --fail-fast stops training once its finding has
   * failed at `probes` consecutive probes. Absent: it needs the whole run, and a stopped run reports it not judged.
   */
  failFast?: { probes: number; reason: string };
  /** Candidate repairs `nnaudit fix` tries for a failing finding, most likely first. */
  repairs?: readonly RepairId[];
}

/** What an analyzer may read of an earlier finding (read-only, plain data). */
export interface FindingView {
  readonly status: Status;
  readonly numericValue: number | null;
  readonly displayValue: string;
  readonly affectedLayers: readonly string[];
}

export interface AnalyzerOutput {
  /** 0..1, or null when not applicable. pass >= 0.9, warn >= 0.5, fail below. */
  score: number | null;
  /** Why it does not apply, when score is null. */
  notApplicableReason?: string;
  numericValue: number | null;
  numericUnit?: string;
  displayValue: string;
  evidence: Evidence[];
  recommendation: string | null;
  /** Layers the finding is about: the report highlights them in the graph. */
  affectedLayers: string[];
}

export interface AnalyzerContext<T extends string> {
  thresholds: Record<T, number>;
  /** Findings of the analyzers named in meta.after that ran (disabled ones are absent). */
  findings: Readonly<Record<string, FindingView>>;
}

export interface Analyzer<T extends string = string> {
  meta: AnalyzerMeta;
  thresholds: Record<T, ThresholdDef>;
  run(artifacts: Artifacts, context: AnalyzerContext<T>): AnalyzerOutput;
}

/** Declares an analyzer: metadata, documented thresholds and a pure run(). */
export function defineAnalyzer<T extends string>(analyzer: Analyzer<T>): Analyzer<T> {
  return analyzer;
}

/** Result for an analyzer that has nothing to judge (e.g. no ReLU layers). */
export function notApplicable(reason: string): AnalyzerOutput {
  return {
    score: null,
    notApplicableReason: reason,
    numericValue: null,
    displayValue: reason,
    evidence: [],
    recommendation: null,
    affectedLayers: [],
  };
}

/** Score bands the runner maps to statuses: keep analyzers on the same scale. */
export const SCORE = { pass: 1, warn: 0.6, fail: 0 } as const;

function sci(v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(1);
}

/** A fraction as a percentage; ratios of 10 and more as "1.2e+3x". */
function pct(v: number): string {
  return Math.abs(v) >= 10 ? `${sci(v)}x` : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 0)}%`;
}

export const fmt = { pct, sci };
