import { gather, type GatherOptions } from '../gather/gather.js';
import { analyze } from './build-result.js';
import { analyzeSeeds } from './multi-seed.js';
import { loadSpecFile, validateSpec } from '../config/load-spec.js';
import type { Spec, SpecInput } from '../config/spec-schema.js';
import type { AuditResult } from '../result/schema.js';
import { failFastJudge } from './fail-fast.js';

export interface AuditOptions extends GatherOptions {
  runId?: string;
  /** Stop training once a finding that can be judged early fails (default: the spec's gate.failFast, else off). */
  failFast?: boolean;
}

/**
 * Runs a whole audit in-process: validate the spec, train or load, gather artifacts, analyze, gate.
 * `spec` is a path to a JSON/YAML spec or a spec object (relative paths resolve against `baseDir`).
 *
 * @example
 *   import { audit } from 'nnaudit';
 *   const result = await audit('fixtures/specs/healthy.json');
 *   if (!result.gate.passed) process.exitCode = result.gate.exitCode;
 */
export async function audit(spec: string | SpecInput | Spec, options: AuditOptions = {}): Promise<AuditResult> {
  const startedAt = new Date();
  const { spec: valid, baseDir } =
    typeof spec === 'string'
      ? loadSpecFile(spec)
      : { spec: validateSpec(spec), baseDir: options.baseDir ?? process.cwd() };
  const extra = { startedAt, ...(options.runId ? { runId: options.runId } : {}) };
  // A fresh judge per training run: it counts consecutive failing probes.
  const failFast = options.failFast ?? valid.gate.failFast ?? false;
  const gatherOptions = (): GatherOptions => ({
    ...options,
    baseDir,
    ...(failFast ? { shouldStop: failFastJudge(valid.analyzers, valid.gate) } : {}),
  });
  if (valid.seeds > 1) {
    const runs = [];
    for (let i = 0; i < valid.seeds; i++) runs.push(await gather({ ...valid, seed: valid.seed + i }, gatherOptions()));
    return analyzeSeeds(runs, valid, extra);
  }
  const artifacts = await gather(valid, gatherOptions());
  return analyze(artifacts, { spec: valid, ...extra });
}
