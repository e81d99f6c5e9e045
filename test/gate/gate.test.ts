import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../src/gate/gate.js';
import type { Finding } from '../../src/result/schema.js';

const finding = (
  id: string,
  status: Finding['status'],
  score: number | null,
  numericValue: number | null = null,
): Finding => ({
  id,
  title: id,
  description: '',
  status,
  score,
  numericValue,
  numericUnit: 'u',
  displayValue: `${id} value`,
  thresholds: {},
  evidence: [],
  recommendation: null,
  affectedLayers: [],
  errorMessage: status === 'error' ? 'boom' : null,
});

describe('gate', () => {
  it.each([
    { name: 'all pass', findings: [finding('dead-relu', 'pass', 1)], preset: 'recommended', exit: 0, verdict: 'PASS' },
    {
      name: 'a warning passes under recommended',
      findings: [finding('overfitting', 'warn', 0.6)],
      preset: 'recommended',
      exit: 0,
      verdict: 'WARN',
    },
    {
      name: 'a warning fails under strict',
      findings: [finding('overfitting', 'warn', 0.6)],
      preset: 'strict',
      exit: 1,
      verdict: 'FAIL',
    },
    {
      name: 'a failure fails',
      findings: [finding('dead-relu', 'fail', 0)],
      preset: 'recommended',
      exit: 1,
      verdict: 'FAIL',
    },
    {
      name: 'a failure is ignored under none',
      findings: [finding('dead-relu', 'fail', 0)],
      preset: 'none',
      exit: 0,
      verdict: 'PASS',
    },
    {
      name: 'not applicable passes',
      findings: [finding('dead-relu', 'notApplicable', null)],
      preset: 'strict',
      exit: 0,
      verdict: 'PASS',
    },
    {
      name: 'an analyzer error is a run error',
      findings: [finding('dead-relu', 'error', null)],
      preset: 'recommended',
      exit: 2,
      verdict: 'FAIL',
    },
  ] as const)('$name', ({ findings, preset, exit, verdict }) => {
    const g = evaluateGate([...findings], { preset, assertions: {} });
    expect(g.exitCode).toBe(exit);
    expect(g.verdict).toBe(verdict);
  });

  it('per-id assertions override the preset: off, warn-level, maxNumericValue', () => {
    const fs = [finding('dead-relu', 'fail', 0, 0.8), finding('overfitting', 'pass', 1, 0.3)];
    expect(evaluateGate(fs, { preset: 'recommended', assertions: { 'dead-relu': 'off' } }).exitCode).toBe(0);
    const warnOnly = evaluateGate(fs, { preset: 'recommended', assertions: { 'dead-relu': 'warn' } });
    expect(warnOnly).toMatchObject({ exitCode: 0, verdict: 'WARN' });
    const max = evaluateGate(fs, { preset: 'none', assertions: { overfitting: ['error', { maxNumericValue: 0.2 }] } });
    expect(max.exitCode).toBe(1);
    expect(max.assertions[0]).toMatchObject({
      id: 'overfitting',
      passed: false,
      expected: 'numericValue <= 0.2',
      found: '0.3',
    });
  });

  it('sorts failures first, error level before warn, then by id', () => {
    const fs = [
      finding('vanishing-gradients', 'fail', 0),
      finding('dead-relu', 'pass', 1),
      finding('overfitting', 'fail', 0),
      finding('underfitting', 'warn', 0.6),
    ];
    const g = evaluateGate(fs, { preset: 'strict', assertions: { 'vanishing-gradients': 'warn' } });
    expect(g.assertions.map((a) => `${a.passed ? 'ok' : 'no'}:${a.level}:${a.id}`)).toEqual([
      'no:error:overfitting',
      'no:error:underfitting',
      'no:warn:vanishing-gradients',
      'ok:error:dead-relu',
    ]);
  });
});
