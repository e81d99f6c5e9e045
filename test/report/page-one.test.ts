import { describe, expect, it } from 'vitest';
import { buildReportView } from '../../src/report/view-model.js';
import { firstSentence, shortSource, thresholdLine } from '../../src/report/finding-text.js';
import { sampleResult } from '../helpers/results.js';

/** Page 1 says what to do: causes first, the root cause's chart, passes counted and listed at the end. */
describe('page 1 of the report', () => {
  it('the vanishing-gradients fixture charts the vanishing cause, not underfitting (first fail in id order)', () => {
    const view = buildReportView(sampleResult('vanishing-gradients'));
    expect(view.detailedFindings[0]!.id).toBe('vanishing-gradients');
    expect(view.verdictChart?.caption).toMatch(
      /^Root cause: vanishing-gradients \(underfitting and learning-rate follow from it\)$/,
    );
  });

  it("symptoms say what they follow from, and their first change is the cause's fix", () => {
    const view = buildReportView(sampleResult('vanishing-gradients'));
    for (const id of ['underfitting', 'learning-rate']) {
      const f = view.detailedFindings.find((x) => x.id === id)!;
      expect(f.followsFrom).toBe('follows from vanishing-gradients');
      expect(f.firstChange).toBe('Fix the vanishing gradients first (vanishing-gradients), then audit again.');
      expect(f.recommendation).not.toMatch(/add capacity|raise the learning rate/i);
    }
  });

  it('passes and n/a rows are counted on page 1 and listed compactly at the end', () => {
    const view = buildReportView(sampleResult('healthy'));
    expect(view.detailedFindings).toEqual([]);
    expect(view.quietFindings.length).toBe(view.findings.length);
    expect(view.quietCount).toMatch(/^\d+ checks passed, \d+ not applicable: listed at the end$/);
  });

  it('thresholds are one line with their sources in a word, without developer notes', () => {
    const view = buildReportView(sampleResult('vanishing-gradients'));
    const line = view.detailedFindings.find((f) => f.id === 'underfitting')!.thresholdLine!;
    expect(line).not.toMatch(/fault benchmark|\.ts\b|fixtures/);
    expect(shortSource('ours, from the fault benchmark set 9: gather/neighbour-fit.ts')).toBe('ours');
    expect(shortSource('AUTOTRAINER: first/last ratio below 1e-3')).toBe('AUTOTRAINER');
    expect(thresholdLine({ failRatio: { value: 1e-3, source: 'AUTOTRAINER: x' } })).toBe(
      'failRatio 0.001 (AUTOTRAINER)',
    );
  });

  it.each([
    [
      "The gradient reaching dense_1 is 6.7e-10 of the last layer's. Use relu with heNormal. Or batchNormalization.",
      'Use relu with heNormal.',
    ],
    ['Add capacity (0.48 accuracy), train longer.', 'Add capacity (0.48 accuracy), train longer.'],
    ['Nothing imperative here. Still a fact.', 'Nothing imperative here.'],
  ])('the first change of %j is %j', (text, first) => {
    expect(firstSentence(text)).toBe(first);
  });

  it("the saturated-activations chart is the tanh curve over the layer's inputs with the |z| >= 5 band, on page 1 and in its box", () => {
    const view = buildReportView(sampleResult('saturated-activations'));
    expect(view.verdictChart?.caption).toContain('saturated-activations');
    expect(view.verdictChart?.svg).toContain('tanh(z)');
    expect(view.verdictChart?.svg).toContain('shaded: saturated |z| &gt;= 5');
    const box = view.detailedFindings.find((f) => f.id === 'saturated-activations')!;
    expect(box.evidence[0]!.svg).toContain('tanh(z)');
  });
});
