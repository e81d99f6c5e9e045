import type { AuditResult } from '../result/schema.js';
import { escapeXml } from './escape-xml.js';
import { ciFindings } from './ci-findings.js';
import { publicResult } from './public-result.js';

const esc = escapeXml;

/**
 * JUnit XML: one test case per analyzer, named `nnaudit.<analyzer-id>` whatever the outcome, so CI test
 * history (GitLab, Jenkins, GitHub test reporters) follows the same test across runs. Error-level assertion
 * failures are <failure>, analyzer errors <error>, not-applicable analyzers <skipped>; the message carries
 * the finding's headline.
 */
export function junitXml(result: AuditResult): string {
  const r = publicResult(result);
  const cases = ciFindings(r).map(({ finding: f, standing, headline, expected, found }) => {
    let body = '';
    if (f.status === 'error') body = `<error message="${esc(headline)}"/>`;
    else if (standing === 'gate') {
      body = `<failure message="${esc(`${headline} (expected ${expected})`)}">${esc(f.recommendation ?? '')}</failure>`;
    } else if (f.status === 'notApplicable') body = `<skipped message="${esc(f.displayValue)}"/>`;
    const out = `<system-out>${esc(`${f.status}: ${headline}`)}</system-out>`;
    return `    <testcase classname="nnaudit.${esc(r.model.name)}" name="nnaudit.${esc(f.id)}">${body}${out}</testcase>`;
  });
  const failures = r.gate.assertions.filter((a) => !a.passed && a.level === 'error').length;
  const errors = r.findings.filter((f) => f.status === 'error').length;
  const skipped = r.findings.filter((f) => f.status === 'notApplicable').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nnaudit" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="nnaudit ${esc(r.model.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(r.run.durationMs / 1000).toFixed(3)}" timestamp="${r.run.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
