import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import type { AuditResult } from '../../src/result/schema.js';

/** The stored sample results (npm run fixtures:results), by name. */
export function sampleResults(): Array<[string, AuditResult]> {
  const dir = path.join(fixturesDir(), 'results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), upgradeResult(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), f)]);
}

export function sampleResult(name: string): AuditResult {
  const found = sampleResults().find(([n]) => n === name);
  if (!found) throw new Error(`no sample result ${name}`);
  return structuredClone(found[1]);
}

/**
 * The dead-relu sample stretched to a deep model (the 34-layer dying-ReLU network a user audited): `n` layers in the
 * gradient record with non-zero norms, and a dead-fraction bar per layer. Only what the charts of many layers read.
 */
export function deepModelResult(n: number): AuditResult {
  const r = sampleResult('dead-relu');
  const names = Array.from({ length: n }, (_, i) => `block${i + 1}_dense_relu`);
  const template = r.measurements.gradients[0]!.layers[0]!;
  r.measurements.gradients = r.measurements.gradients.map((e) => ({
    ...e,
    layers: names.map((layer, i) => ({
      ...template,
      layer,
      kernelNorm: 10 ** (-i / 8) * (1 + e.epoch / 10),
      kernelMeanAbs: 0.01,
    })),
  }));
  r.findings = r.findings.map((f) => ({
    ...f,
    evidence: f.evidence.map((e) =>
      e.kind === 'bars' ? { ...e, labels: names, values: names.map((_, i) => (i % 3 === 0 ? 0.9 : 0.1)) } : e,
    ),
  }));
  return r;
}
