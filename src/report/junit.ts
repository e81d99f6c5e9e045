import type { AuditResult } from '../result/schema.js';
import { escapeXml } from './escape-xml.js';

const esc = escapeXml;

/** JUnit XML: one test case per finding; error-level assertion failures are <failure>, analyzer errors <error>. */
export function junitXml(r: AuditResult): string {
  const cases = r.findings.map((f) => {
    const assertion = r.gate.assertions.find((a) => a.id === f.id);
    const name = `${f.id}: ${f.title}`;
    let body = '';
    if (f.status === 'error') body = `<error message="${esc(f.errorMessage ?? 'error')}"/>`;
    else if (assertion && !assertion.passed && assertion.level === 'error') {
      body = `<failure message="${esc(`expected ${assertion.expected}, found ${assertion.found}`)}">${esc(f.recommendation ?? '')}</failure>`;
    } else if (f.status === 'notApplicable') body = `<skipped message="${esc(f.displayValue)}"/>`;
    const out = `<system-out>${esc(`${f.status}: ${f.displayValue}`)}</system-out>`;
    return `    <testcase classname="nnaudit.${esc(r.model.name)}" name="${esc(name)}">${body}${out}</testcase>`;
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
