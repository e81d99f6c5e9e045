import type { AssertionSpec } from './assertion-schema.js';
import type { AssertionResult, Finding, GateResult } from '../result/schema.js';
import type { Baseline } from '../result/baseline.js';
import { PRESETS } from './presets.js';
import { ANALYZER_IDS } from '../analyzers/index.js';
import { SpecError } from '../errors.js';
import type { Aggregate, PresetName, Verdict } from '../result/vocabulary.js';

export interface GateConfig {
  preset: PresetName;
  aggregate?: Aggregate;
  assertions: Record<string, AssertionSpec>;
}

export function validateGateConfig(gate: GateConfig, where = 'gate.assertions'): void {
  for (const id of Object.keys(gate.assertions)) {
    if (!ANALYZER_IDS.includes(id))
      throw new SpecError(`${where}.${id}: no analyzer has this id; known: ${ANALYZER_IDS.join(', ')}`);
  }
}

/**
 * Judges findings against assertions (preset, then per-id overrides), Lighthouse CI style.
 * An assertion without options fails when the finding's status is "fail"; options judge the score or value.
 */
export function evaluateGate(findings: Finding[], gate: GateConfig, baseline?: Baseline): GateResult {
  validateGateConfig(gate);
  const merged: Record<string, AssertionSpec> = { ...PRESETS[gate.preset], ...gate.assertions };
  const results: AssertionResult[] = [];
  let runError = false;
  for (const [id, spec] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
    const [level, options] = typeof spec === 'string' ? [spec, {}] : spec;
    if (level === 'off') continue;
    const f = findings.find((x) => x.id === id);
    if (!f) continue; // disabled in the spec's analyzers section
    const { maxIncrease, ...rest } = options;
    const judged = judge(f, level, rest);
    results.push(
      maxIncrease === undefined
        ? judged
        : withChange(judged, f, level, maxIncrease, baseline, Object.keys(rest).length > 0),
    );
    if (f.status === 'error') runError = true;
  }
  results.sort(
    (a, b) =>
      Number(a.passed) - Number(b.passed) ||
      (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1) ||
      a.id.localeCompare(b.id),
  );
  const errorFailed = results.some((r) => !r.passed && r.level === 'error');
  const warned = results.some((r) => !r.passed) || findings.some((f) => f.status === 'warn');
  const verdict: Verdict = errorFailed || runError ? 'FAIL' : warned ? 'WARN' : 'PASS';
  return {
    preset: gate.preset,
    passed: !errorFailed && !runError,
    exitCode: runError ? 2 : errorFailed ? 1 : 0,
    verdict,
    assertions: results,
  };
}

function judge(
  f: Finding,
  level: 'warn' | 'error',
  options: { maxNumericValue?: number; minScore?: number },
): AssertionResult {
  const base = { id: f.id, level };
  if (f.status === 'error') {
    return {
      ...base,
      passed: false,
      expected: 'analyzer runs',
      found: `error: ${f.errorMessage}`,
      message: `${f.id}: the analyzer failed: ${f.errorMessage}`,
    };
  }
  if (f.status === 'notApplicable') {
    return {
      ...base,
      passed: true,
      expected: 'n/a',
      found: 'not applicable',
      message: `${f.id}: not applicable (${f.displayValue})`,
    };
  }
  if (options.maxNumericValue !== undefined) {
    const v = f.numericValue;
    const passed = v !== null && v <= options.maxNumericValue;
    return {
      ...base,
      passed,
      expected: `numericValue <= ${options.maxNumericValue}`,
      found: `${v ?? 'none'}`,
      message: `${f.id}: ${f.numericUnit ?? 'value'} ${v ?? 'none'} ${passed ? '<=' : '>'} ${options.maxNumericValue}`,
    };
  }
  if (options.minScore !== undefined) {
    const passed = (f.score ?? 1) >= options.minScore;
    return {
      ...base,
      passed,
      expected: `score >= ${options.minScore}`,
      found: `${f.score?.toFixed(2)} (${f.status}): ${f.displayValue}`,
      message: `${f.id}: ${f.title} (${f.displayValue})`,
    };
  }
  const passed = f.status !== 'fail';
  return {
    ...base,
    passed,
    expected: 'status pass or warn',
    found: `${f.status}: ${f.displayValue}`,
    message: `${f.id}: ${f.title} (${f.displayValue})`,
  };
}

/**
 * The change assertion (`maxIncrease`): numericValue may rise by at most this much since the baseline run.
 * Without a baseline (a first run) or a value on either side there is nothing to compare: it passes and says so.
 * Combined with other options on the same id, both must hold.
 */
function withChange(
  other: AssertionResult,
  f: Finding,
  level: 'warn' | 'error',
  maxIncrease: number,
  baseline: Baseline | undefined,
  combined: boolean,
): AssertionResult {
  const c = baseline?.perAnalyzer[f.id];
  const since = baseline ? ` since ${baseline.date.slice(0, 10)}` : '';
  const expected = `increase${since} <= ${maxIncrease}`;
  let passed = true;
  let found = 'no baseline run to compare with';
  if (baseline && (!c || c.change === null)) found = 'no value on one side';
  else if (baseline && c && c.change !== null) {
    passed = c.change <= maxIncrease + 1e-12;
    found = `${fmt(c.base)} -> ${fmt(c.now)} (${c.change >= 0 ? '+' : ''}${fmt(c.change)})`;
  }
  const change: AssertionResult = {
    id: f.id,
    level,
    passed,
    expected,
    found,
    message: `${f.id}: ${f.numericUnit ?? 'value'} ${found}${passed ? '' : `, more than the allowed increase of ${maxIncrease}`}`,
  };
  if (!combined || f.status === 'error') return f.status === 'error' ? other : change;
  return {
    ...change,
    passed: change.passed && other.passed,
    expected: `${other.expected} and ${expected}`,
    found: `${other.found}; ${found}`,
    message: change.passed ? other.message : change.message,
  };
}

const fmt = (v: number | null): string => (v === null ? 'none' : String(Number(v.toPrecision(3))));
