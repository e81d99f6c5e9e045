import type { Argv } from 'yargs';
import { readJsonFile } from '../artifacts/io.js';
import { upgradeResult } from '../result/upgrade.js';
import { applyBaseline } from '../gate/apply-baseline.js';
import type { AuditResult } from '../result/schema.js';

/** `--baseline <result.json>` for audit and render: compare with an earlier run and judge change budgets. */
export function withBaselineOption<T>(y: Argv<T>) {
  return y.option('baseline', {
    type: 'string',
    describe:
      'An earlier result.json to compare with: the report shows now, baseline and change per analyzer, and gate assertions like ["error", { maxIncrease: 0.1 }] are judged against it',
  });
}

/** The result compared with the baseline file, or unchanged without one. A missing or foreign file exits 2 naming it. */
export async function compareWithFile(result: AuditResult, file: string | undefined): Promise<AuditResult> {
  if (!file) return result;
  const base = upgradeResult(await readJsonFile(file, '--baseline result file'), file);
  return applyBaseline(result, base, `--baseline ${file}`);
}
