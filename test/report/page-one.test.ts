import { describe, expect, it } from 'vitest';
import { buildReportView } from '../../src/report/view-model.js';
import { firstSentence, shortSource, thresholdLine } from '../../src/report/finding-text.js';
import { sampleResult, sampleResults } from '../helpers/results.js';

/** Page 1 says what to do: causes first, the root cause's chart, passes counted and listed at the end. */
/** A symptom's own remedies, which contradict a root cause that explains it (issue 22). */
const SYMPTOM_REMEDY =
  /\badd capacity\b|\b(raise|increase) the learning rate\b|\btrain longer\b|\bmore units or layers\b/i;

describe('page 1 of the report', () => {
  it.each(sampleResults().map(([n]) => n))(
    '%s: page 1 pictures a root cause, and no advice contradicts a failed root cause',
    (name) => {
      const view = buildReportView(sampleResult(name));
      const detailed = view.detailedFindings;
      if (detailed.length === 0) {
        expect(view.verdictChart === null || view.verdictChart.caption === 'Gradient flow').toBe(true);
        return;
      }
      expect(detailed[0]!.followsFrom, 'causes are listed first').toBeNull();
      const charted = /^Root cause(?: with a chart)?: ([\w-]+)/.exec(view.verdictChart?.caption ?? '')?.[1];
      expect(charted, view.verdictChart?.caption).toBeDefined();
      expect(detailed.find((f) => f.id === charted)?.followsFrom, `${charted} is a root cause`).toBeNull();
      const failedRoot = detailed.some((f) => f.followsFrom === null && f.status === 'fail');
      for (const f of detailed.filter((d) => d.followsFrom !== null)) {
        if (failedRoot) expect(f.recommendation ?? '', f.id).not.toMatch(SYMPTOM_REMEDY);
        expect(f.firstChange, f.id).toMatch(/ first \([\w-]+\), then audit again\.$/);
      }
    },
  );

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

  it('saturated-activations: page 1 charts the input scale that causes it; its box draws the tanh curve with the |z| >= 5 band', () => {
    const view = buildReportView(sampleResult('saturated-activations'));
    expect(view.verdictChart?.caption).toBe(
      'Root cause: unnormalized-inputs (saturated-activations and underfitting follow from it)',
    );
    expect(view.verdictChart?.svg).toContain('largest |x|');
    const box = view.detailedFindings.find((f) => f.id === 'saturated-activations')!;
    expect(box.evidence[0]!.svg).toContain('tanh(z)');
    expect(box.evidence[0]!.svg).toContain('shaded: saturated |z| &gt;= 5');
  });
});
