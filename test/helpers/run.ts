import { findAnalyzer } from '../../src/analyzers/index.js';
import { runAnalyzers } from '../../src/audit/run-analyzers.js';
import type { Artifacts } from '../../src/artifacts/schema.js';
import type { Finding } from '../../src/result/schema.js';

/** Runs one analyzer through the real runner (status mapping, overrides) and returns its finding. */
export function runOne(id: string, artifacts: Artifacts, overrides: Record<string, number> = {}): Finding {
  if (!findAnalyzer(id)) throw new Error(`no analyzer ${id}`);
  const f = runAnalyzers(artifacts, { [id]: overrides }).find((x) => x.id === id);
  if (!f) throw new Error(`analyzer ${id} produced no finding`);
  return f;
}
