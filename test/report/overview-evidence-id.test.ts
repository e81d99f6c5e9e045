import { describe, expect, it } from 'vitest';
import { overviewCharts } from '../../src/report/charts/overview-charts.js';
import { EVIDENCE_IDS } from '../../src/result/vocabulary.js';
import { sampleResult } from '../helpers/results.js';

// The overview's loss curve reuses overfitting's divergence marker; it must find that evidence by id, not by
// a title that happens to contain "loss".
function lossCurveSvg(retitle: (e: { title: string; id?: string }) => void): string {
  const r = sampleResult('overfitting');
  for (const e of r.findings.find((f) => f.id === 'overfitting')!.evidence) if (e.kind === 'series') retitle(e);
  return overviewCharts(r).learningCurves.join('\n');
}

describe('overview learning curves', () => {
  it('take the marker from the evidence tagged loss-curves, whatever its title says', () => {
    const svg = lossCurveSvg((e) => {
      if (e.title === 'Learning curves: loss') e.id = EVIDENCE_IDS.lossCurves;
      e.title = `Panel ${e.title.length}`; // no "loss" in any title
    });
    expect(svg).toContain('validation loss rising');
  });

  it('do not take it from evidence with another id even if its title mentions loss', () => {
    const svg = lossCurveSvg((e) => {
      e.id = 'something-else';
      e.title = 'Learning curves: loss';
    });
    expect(svg).not.toContain('validation loss rising');
  });
});
