import { audit } from '../audit/audit.js';
import type { BackendName } from '../gather/backend/backend.js';
import type { Spec } from '../config/spec-schema.js';
import type { AuditResult } from '../result/schema.js';
import { findFixes, type FixOptions, type FixReport } from './run-fixes.js';
import { attachVerifiedFixes } from './plan.js';

export interface TryFixesOptions extends Partial<Pick<FixOptions, 'maxTrials' | 'timeBudgetMs' | 'onTrial'>> {
  baseDir: string;
  backend?: BackendName | 'auto';
  /** Trains the candidates elsewhere, e.g. on the queue (queue-trials.ts); default: in this process, one at a time. */
  runner?: Pick<FixOptions, 'runTrial' | 'concurrency'>;
}

/**
 * Verified fixes: retrains candidates (in-process one after another, or through `o.runner`) with fail-fast on (a candidate that is still
 * broken stops at its first confirmed failure), then marks each cleared finding of `baseline` with its verifiedFix.
 *
 * @example
 *   const baseline = await audit(spec, { baseDir });
 *   const report = await tryFixes(spec, baseline, { baseDir });
 *   if (report.best) writeFixedSpec(report.best.spec, report.best.repairs, 'fixed.yaml', baseDir);
 */
export async function tryFixes(spec: Spec, baseline: AuditResult, o: TryFixesOptions): Promise<FixReport> {
  const report = await findFixes(spec, baseline, {
    ...(o.maxTrials !== undefined ? { maxTrials: o.maxTrials } : {}),
    ...(o.timeBudgetMs !== undefined ? { timeBudgetMs: o.timeBudgetMs } : {}),
    ...(o.onTrial ? { onTrial: o.onTrial } : {}),
    // In-process runs start at once: the budget signal only matters to a runner whose candidates wait in a queue.
    ...(o.runner ?? {
      runTrial: (s: Spec) =>
        audit(s, { baseDir: o.baseDir, failFast: true, ...(o.backend ? { backend: o.backend } : {}) }),
    }),
  });
  attachVerifiedFixes(baseline, report.trials);
  return report;
}
