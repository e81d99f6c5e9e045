import { z } from 'zod';
import { assertionSchema } from './assertion-schema.js';
import { evaluateGate, type GateConfig } from './gate.js';
import { compareWithBaseline, type RunSummary } from '../result/baseline.js';
import type { AuditResult } from '../result/schema.js';
import { PRESET_NAMES } from '../result/vocabulary.js';

const assertionsSchema = z.record(z.string(), assertionSchema);

/** The gate configuration a result was judged with: its preset, and the assertions of the spec it ran. */
export function gateConfigOf(r: AuditResult): GateConfig {
  const preset = (PRESET_NAMES as readonly string[]).includes(r.gate.preset)
    ? (r.gate.preset as GateConfig['preset'])
    : 'recommended';
  const raw = (r.spec?.['gate'] as { assertions?: unknown } | undefined)?.assertions;
  const parsed = assertionsSchema.safeParse(raw ?? {});
  // The spec was validated when the run started; a result edited by hand keeps its preset rather than failing here.
  return { preset, assertions: parsed.success ? parsed.data : {} };
}

/**
 * The result compared with a baseline run: `result.baseline` filled in and the gate judged again, now with its
 * change assertions (`maxIncrease`) measured against the baseline. Pure; the caller finds the baseline.
 *
 * @example
 *   const compared = applyBaseline(result, upgradeResult(readJson('last-night/result.json')), '--baseline last-night/result.json');
 *   compared.baseline.regressed // ['dead-relu']
 */
export function applyBaseline(
  now: AuditResult,
  base: AuditResult,
  source: string,
  earlier: RunSummary[] = [],
): AuditResult {
  const baseline = compareWithBaseline(now, base, source, earlier);
  return { ...now, baseline, gate: evaluateGate(now.findings, gateConfigOf(now), baseline) };
}
