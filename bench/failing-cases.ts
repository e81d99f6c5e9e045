import { fixtureExpectations, fixtureSpecPath } from '../src/cli/fixtures.js';
import type { SpecInput } from '../src/config/spec-schema.js';
import { benchCases, TARGETS } from './accuracy-cases.js';

export interface FailingCase {
  id: string;
  family: string;
  spec: SpecInput | string;
}

/** The fixtures expected to fail, then every accuracy case with at least one problem built in (a true label). */
export function failingCases(): FailingCase[] {
  const expected = fixtureExpectations();
  const fixtures = Object.entries(expected)
    .filter(([, byId]) => Object.values(byId).some((s) => s.length === 1 && s[0] === 'fail'))
    .map(([name]) => ({ id: `fixture:${name}`, family: 'fixtures', spec: fixtureSpecPath(name) }));
  const cases = benchCases('v1')
    .filter((c) => TARGETS.some((t) => c.labels[t] === true))
    .map((c) => ({ id: c.id, family: c.family, spec: c.spec }));
  return [...fixtures, ...cases];
}
