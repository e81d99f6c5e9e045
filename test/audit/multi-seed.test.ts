import { describe, expect, it } from 'vitest';
import { aggregateFindings } from '../../src/audit/multi-seed.js';
import { audit } from '../../src/audit/audit.js';
import type { Finding } from '../../src/result/schema.js';

const f = (status: Finding['status'], score: number | null): Finding => ({
  id: 'dead-relu',
  title: 't',
  description: '',
  status,
  score,
  numericValue: score,
  numericUnit: null,
  displayValue: `score ${score}`,
  thresholds: {},
  evidence: [],
  recommendation: null,
  affectedLayers: [],
  errorMessage: null,
});

describe('multi-seed aggregation', () => {
  // Five runs of a model that dies in 3 of 5 seeds (the 34-layer dying-ReLU case is 50-80% in the literature).
  const runs = [[f('pass', 1)], [f('fail', 0)], [f('fail', 0.25)], [f('pass', 0.95)], [f('fail', 0)]];
  it.each([
    { how: 'pessimistic', status: 'fail', seed: 11 },
    { how: 'median', status: 'fail', seed: 12 },
    { how: 'optimistic', status: 'pass', seed: 10 },
  ] as const)('$how picks the $status run', ({ how, status, seed }) => {
    const { findings, perAnalyzer } = aggregateFindings(runs, [10, 11, 12, 13, 14], how);
    expect(findings[0]!.status).toBe(status);
    expect(findings[0]!.displayValue).toMatch(/of 5 seeds: pass 2\/5, fail 3\/5/);
    expect(perAnalyzer['dead-relu']!.statuses).toEqual(['pass', 'fail', 'fail', 'pass', 'fail']);
    expect(perAnalyzer['dead-relu']!.chosenSeed).toBe(seed);
  });

  it('treats an analyzer error as the worst run and ignores not-applicable runs unless all are', () => {
    expect(aggregateFindings([[f('pass', 1)], [f('error', null)]], [1, 2], 'pessimistic').findings[0]!.status).toBe(
      'error',
    );
    expect(
      aggregateFindings([[f('notApplicable', null)], [f('warn', 0.6)]], [1, 2], 'optimistic').findings[0]!.status,
    ).toBe('warn');
    expect(
      aggregateFindings([[f('notApplicable', null)], [f('notApplicable', null)]], [1, 2], 'median').findings[0]!.status,
    ).toBe('notApplicable');
  });

  it('audit with seeds: 3 trains three times and records every run', async () => {
    const r = await audit({
      seed: 5,
      seeds: 3,
      gate: { aggregate: 'pessimistic' },
      data: { generator: 'moons', samples: 300, noise: 0.2 },
      model: {
        train: {
          layers: [
            { type: 'dense', units: 8, activation: 'relu' },
            { type: 'dense', units: 1, activation: 'sigmoid' },
          ],
          loss: 'binaryCrossentropy',
          epochs: 3,
        },
      },
    });
    expect(r.seedRuns?.seeds).toEqual([5, 6, 7]);
    expect(r.seedRuns?.aggregate).toBe('pessimistic');
    expect(r.seedRuns?.perAnalyzer['underfitting']?.statuses).toHaveLength(3);
    expect(r.findings.find((x) => x.id === 'underfitting')!.displayValue).toMatch(/\[pessimistic of 3 seeds: /);
  });
});
