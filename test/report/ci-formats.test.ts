import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { junitXml } from '../../src/report/junit.js';
import { githubAnnotations } from '../../src/report/github.js';
import { gitlabCodeQuality } from '../../src/report/gitlab.js';
import { sampleResult } from '../helpers/results.js';

interface Case {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string };
  skipped?: unknown;
  error?: unknown;
}
function testCases(xml: string): Case[] {
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml) as {
    testsuites: { testsuite: { testcase: Case[] } };
  };
  return doc.testsuites.testsuite.testcase;
}

describe('JUnit', () => {
  it('names each test nnaudit.<analyzer-id> whatever the outcome, so CI history follows it across runs', () => {
    const sick = testCases(junitXml(sampleResult('dead-relu')));
    const healthy = testCases(junitXml(sampleResult('healthy')));
    const names = (cs: Case[]) => cs.map((c) => c['@_name']).sort();
    expect(names(sick)).toEqual(names(healthy));
    expect(names(sick)).toEqual(
      sampleResult('dead-relu')
        .findings.map((f) => `nnaudit.${f.id}`)
        .sort(),
    );
    expect(sick.find((c) => c['@_name'] === 'nnaudit.dead-relu')?.failure).toBeDefined();
    expect(healthy.find((c) => c['@_name'] === 'nnaudit.dead-relu')?.failure).toBeUndefined();
  });

  it('the failure message carries the headline: the title and what was measured', () => {
    const r = sampleResult('dead-relu');
    const f = r.findings.find((x) => x.id === 'dead-relu')!;
    const c = testCases(junitXml(r)).find((x) => x['@_name'] === 'nnaudit.dead-relu')!;
    expect(c.failure?.['@_message']).toContain(`${f.title}: ${f.displayValue}`);
  });
});

// docs.github.com "Workflow commands for GitHub Actions": ::error|warning [file=F,][title=T]::message, one per line.
const WORKFLOW_COMMAND = /^::(error|warning|notice)( (file|title)=[^,:\r\n]*(,(file|title)=[^,:\r\n]*)*)?::[^\r\n]*$/;

describe('GitHub annotations', () => {
  it('an error per finding that failed the gate, a warning per other problem, nothing for passes', () => {
    const r = sampleResult('non-finite-values');
    const lines = githubAnnotations(r, { file: 'specs/non-finite.json' }).trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(WORKFLOW_COMMAND);
    const byId = (id: string) => lines.find((l) => l.includes(`%3A ${id}::`));
    expect(byId('non-finite-values')).toMatch(/^::error file=specs\/non-finite.json,title=nnaudit /);
    expect(byId('unnormalized-inputs')).toMatch(/^::warning /); // its gate level is warn
    expect(byId('output-activation')).toBeUndefined(); // passed
    expect(lines).toHaveLength(r.findings.filter((f) => ['fail', 'warn', 'error'].includes(f.status)).length);
    expect(githubAnnotations(sampleResult('healthy'))).toBe('');
  });

  it('escapes %, newlines, and ":" "," in properties, so a value cannot end the command early', () => {
    const r = sampleResult('dead-relu');
    r.model.name = 'a:b,c';
    r.findings[0]!.displayValue = '50% dead\nsecond line';
    const out = githubAnnotations(r, { file: 'x,y:z.json' });
    const first = out.split('\n')[0]!;
    expect(first).toMatch(WORKFLOW_COMMAND);
    expect(first).toContain('file=x%2Cy%3Az.json,title=nnaudit a%3Ab%2Cc%3A dead-relu::');
    expect(first).toContain('50%25 dead%0Asecond line');
  });
});

// docs.gitlab.com "Code Quality report format": an array of these objects.
const codeQualitySchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1 },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', minLength: 1 },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        required: ['path', 'lines'],
        properties: {
          path: { type: 'string', minLength: 1 },
          lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
};

describe('GitLab Code Quality', () => {
  const validate = new Ajv2020({ allErrors: true }).compile(codeQualitySchema);

  it('matches the documented format, one issue per problem, critical for what failed the gate', () => {
    const issues = gitlabCodeQuality(sampleResult('non-finite-values'), { path: 'specs/non-finite.json' });
    expect(validate(issues), JSON.stringify(validate.errors)).toBe(true);
    expect(issues.map((i) => i.check_name).sort()).toEqual([
      'nnaudit.exploding-gradients',
      'nnaudit.learning-rate',
      'nnaudit.non-finite-values',
      'nnaudit.unnormalized-inputs',
    ]);
    expect(issues.find((i) => i.check_name === 'nnaudit.non-finite-values')?.severity).toBe('critical');
    expect(issues.find((i) => i.check_name === 'nnaudit.unnormalized-inputs')?.severity).toBe('major'); // fails, but gated at warn
    expect(issues.every((i) => i.location.path === 'specs/non-finite.json')).toBe(true);
    expect(gitlabCodeQuality(sampleResult('healthy'))).toEqual([]);
  });

  it('fingerprints are unique per issue and stable across runs of the same model, so GitLab tracks them', () => {
    const a = gitlabCodeQuality(sampleResult('non-finite-values'));
    const rerun = sampleResult('non-finite-values');
    rerun.run.id = 'another-run';
    rerun.findings.forEach((f) => {
      f.displayValue += ' (re-measured)';
    });
    const b = gitlabCodeQuality(rerun);
    expect(new Set(a.map((i) => i.fingerprint)).size).toBe(a.length);
    expect(b.map((i) => i.fingerprint)).toEqual(a.map((i) => i.fingerprint));
  });
});
