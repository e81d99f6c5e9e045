import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYZER_IDS } from '../../src/analyzers/index.js';
import { fixtureExpectations, fixturesDir } from '../../src/cli/fixtures.js';
import { sampleResults } from '../helpers/results.js';

/**
 * The stored sample results (fixtures/results/, written by `npm run fixtures:results`) feed the report tests and
 * the docs. They must be what today's code writes: every analyzer present, the fixtures' known statuses, the
 * current result schema. A stale set (an analyzer added since, a schema field renamed) fails here.
 */
describe('stored sample results are current', () => {
  const samples = sampleResults();

  it('one per fixture spec, plus the loaded wine model', () => {
    const specs = readdirSync(path.join(fixturesDir(), 'specs'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    const expected = Object.keys(fixtureExpectations()).filter((n) => specs.includes(n));
    expect(samples.map(([n]) => n).sort()).toEqual([...expected, 'wine-loaded'].sort());
  });

  it.each(samples.map(([n]) => [n]))('%s has a finding from every registered analyzer, and no other', (name) => {
    const result = samples.find(([n]) => n === name)![1];
    expect(result.findings.map((f) => f.id).sort()).toEqual([...ANALYZER_IDS].sort());
  });

  it.each(Object.entries(fixtureExpectations()).filter(([n]) => samples.some(([s]) => s === n)))(
    '%s shows the statuses fixtures/expected.json holds for it',
    (name, expectations) => {
      const result = samples.find(([n]) => n === name)![1];
      for (const f of result.findings) {
        const allowed = expectations[f.id] ?? ['pass', 'notApplicable'];
        expect(allowed, `${name}: ${f.id} is ${f.status}`).toContain(f.status);
      }
    },
  );
});
