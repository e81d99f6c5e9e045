import type { AuditResult, Finding } from '../result/schema.js';
import { isProblem, statusRank } from '../result/vocabulary.js';

/** How a finding stands for CI: 'gate' failed the gate (error-level assertion or analyzer error), else 'problem' or 'ok'. */
export type CiStanding = 'gate' | 'problem' | 'ok';

export interface CiFinding {
  finding: Finding;
  standing: CiStanding;
  headline: string;
  expected: string | null;
  found: string | null;
}

/**
 * The findings as CI annotations see them, worst first: shared by JUnit, GitHub and GitLab outputs so
 * they agree on what failed the gate. Reads only the result.
 */
export function ciFindings(r: AuditResult): CiFinding[] {
  return [...r.findings]
    .sort((a, b) => statusRank(a.status) - statusRank(b.status) || a.id.localeCompare(b.id))
    .map((f) => {
      const failed = r.gate.assertions.find((a) => a.id === f.id && !a.passed);
      const standing: CiStanding =
        f.status === 'error' || failed?.level === 'error' ? 'gate' : isProblem(f.status) || failed ? 'problem' : 'ok';
      return {
        finding: f,
        standing,
        headline: headline(f),
        expected: failed?.expected ?? null,
        found: failed?.found ?? null,
      };
    });
}

/** One line a person reads first: the finding's title and what was measured. */
export function headline(f: Finding): string {
  if (f.status === 'error') return `${f.title}: the analyzer failed: ${f.errorMessage ?? 'unknown error'}`;
  return `${f.title}: ${f.displayValue}`;
}
