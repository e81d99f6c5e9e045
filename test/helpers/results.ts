import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { upgradeResult } from '../../src/result/upgrade.js';
import type { AuditResult } from '../../src/result/schema.js';

/** The stored sample results (npm run fixtures:results), by name. */
export function sampleResults(): Array<[string, AuditResult]> {
  const dir = path.join(fixturesDir(), 'results');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => [
    f.replace(/\.json$/, ''), upgradeResult(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), f),
  ]);
}

export function sampleResult(name: string): AuditResult {
  const found = sampleResults().find(([n]) => n === name);
  if (!found) throw new Error(`no sample result ${name}`);
  return structuredClone(found[1]);
}
