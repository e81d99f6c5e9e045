import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { fixtureExpectations, fixtureSpecPath } from '../src/cli/fixtures.js';
import { ANALYZER_IDS } from '../src/analyzers/index.js';
import { resultSchema } from '../src/result/schema.js';
import { publishedValidator } from './helpers/schema.js';

/**
 * Ground truth by construction: each fixture really has its problem (or none). Every cell of the
 * fixture x analyzer table is asserted: the pathology fails its analyzer, and no fixture raises an
 * alarm outside its expected set (default: pass or not applicable).
 */
const expected = fixtureExpectations();
const validate = publishedValidator('result');

describe.each(Object.keys(expected))('fixture %s', (name) => {
  it('gets the expected status from every analyzer, and a valid result', async () => {
    const result = await audit(fixtureSpecPath(name));
    const got = Object.fromEntries(result.findings.map((f) => [f.id, f.status]));
    const want = Object.fromEntries(ANALYZER_IDS.map((id) => [id, expected[name]![id] ?? ['pass', 'notApplicable']]));
    for (const id of ANALYZER_IDS) {
      expect(
        want[id],
        `${name}: ${id} was ${got[id]} (${result.findings.find((f) => f.id === id)?.displayValue})`,
      ).toContain(got[id]);
    }
    expect(resultSchema.safeParse(JSON.parse(JSON.stringify(result))).success).toBe(true);
    expect(validate(JSON.parse(JSON.stringify(result)))).toBeNull();
    const sick = Object.values(expected[name]!).some((s) => s.length === 1 && s[0] === 'fail');
    expect(result.gate.exitCode).toBe(sick ? 1 : 0);
    for (const f of result.findings.filter((x) => x.status === 'fail' || x.status === 'warn')) {
      expect(f.recommendation, `${name}: ${f.id} needs a recommendation`).toBeTruthy();
    }
  });
});
