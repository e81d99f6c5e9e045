import { randomUUID } from 'node:crypto';
import type { Artifacts } from '../artifacts/schema.js';
import type { Spec } from '../config/spec-schema.js';
import { runAnalyzers, type AnalyzerSettings } from './run-analyzers.js';
import { evaluateGate, type GateConfig } from '../gate/gate.js';
import { SCHEMA_VERSION, type AuditResult, type Finding } from '../result/schema.js';
import { VERSION } from '../version.js';
import { rankByCause } from '../result/causes.js';

export interface AnalyzeOptions {
  analyzers?: AnalyzerSettings;
  gate?: GateConfig;
  spec?: Spec | null;
  runId?: string;
  startedAt?: Date;
}

/**
 * The analyze stage: artifacts in, the versioned result document out. Pure but for the clock and run id.
 *
 * @example
 *   const result = analyze(artifacts, { gate: { preset: 'strict', assertions: {} } });
 */
export function analyze(artifacts: Artifacts, options: AnalyzeOptions = {}): AuditResult {
  const t0 = performance.now();
  return assembleResult(
    artifacts,
    runAnalyzers(artifacts, options.analyzers ?? options.spec?.analyzers ?? {}),
    options,
    t0,
  );
}

/** Gate, order and wrap findings into the result document (shared by single- and multi-seed audits). */
export function assembleResult(
  artifacts: Artifacts,
  findings: Finding[],
  options: AnalyzeOptions,
  t0 = performance.now(),
): AuditResult {
  const startedAt = options.startedAt ?? new Date(artifacts.createdAt);
  const gate = evaluateGate(
    findings,
    options.gate ?? options.spec?.gate ?? { preset: 'recommended', aggregate: 'median', assertions: {} },
  );
  const finishedAt = new Date();
  // Causes before the findings that follow from them: readers act on the first problem listed.
  const ranked = rankByCause(findings);
  findings.splice(0, findings.length, ...ranked);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'nnaudit', version: VERSION },
    run: {
      id: options.runId ?? randomUUID(),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: (artifacts.timing['totalMs'] ?? 0) + (performance.now() - t0),
      backend: artifacts.backend,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      seed: artifacts.seed,
    },
    spec: options.spec ? (JSON.parse(JSON.stringify(options.spec)) as Record<string, unknown>) : null,
    model: artifacts.model,
    data: artifacts.data,
    training: {
      history: artifacts.history,
      ...(artifacts.stoppedEarly ? { stoppedEarly: artifacts.stoppedEarly } : {}),
    },
    evaluation: artifacts.evaluation ?? null,
    findings,
    gate,
    measurements: artifacts,
    runWarnings: artifacts.warnings,
    timing: { ...artifacts.timing, analyzeMs: performance.now() - t0 },
  };
}
