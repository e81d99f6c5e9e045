import { describe, expect, it } from 'vitest';
import {
  barsChart,
  colourScale,
  heatmapChart,
  PALETTES,
  seriesChart,
  yRange,
} from '../../src/report/charts/evidence-chart.js';
import { overviewCharts } from '../../src/report/charts/overview-charts.js';
import { sampleResult } from '../helpers/results.js';
import { buildReportView } from '../../src/report/view-model.js';
import { makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const heatmap = (over: Record<string, unknown> = {}) => ({
  kind: 'heatmap' as const,
  title: 'share',
  xLabel: 'unit',
  yLabel: 'layer',
  xLabels: ['0', '1'],
  yLabels: ['dense_1'],
  values: [[0.5, 0.9]],
  valueLabel: 'share <= 0',
  ...over,
});

/** Issue 22: colours and scales that do not mislead. */
describe('honest charts', () => {
  it('a share heatmap is coloured on 0..1, not from the data minimum (alive units looked half dead)', () => {
    expect(colourScale(heatmap({ range: { min: 0, max: 1 } }), 0.5, 0.9)).toEqual({ min: 0, max: 1 });
    expect(colourScale(heatmap(), 0.5, 0.9)).toEqual({ min: 0.5, max: 0.9 });
  });

  it('the dead-relu evidence and the overview dead-unit map carry the 0..1 range; gradient norms use the neutral palette', () => {
    const dead = sampleResult('dead-relu')
      .findings.find((f) => f.id === 'dead-relu')!
      .evidence.find((e) => e.kind === 'heatmap');
    expect(dead?.kind === 'heatmap' && dead.range).toEqual({ min: 0, max: 1 });
    const grad = sampleResult('vanishing-gradients')
      .findings.find((f) => f.id === 'vanishing-gradients')!
      .evidence.find((e) => e.kind === 'heatmap');
    expect(grad?.kind === 'heatmap' && grad.palette).toBe('magnitude');
    // The palette's darkest blue is in the drawing, and no alarm red.
    const svg = heatmapChart(grad as Parameters<typeof heatmapChart>[0]);
    expect(svg.toLowerCase()).not.toContain(PALETTES.badness[3]);
  });

  it.each([
    ['loss', false, [0.6926, 0.6945], { min: 0, max: 0.74 }],
    ['accuracy', false, [0.45, 0.52], { min: 0, max: 1 }],
    ['ratio (log scale)', true, [4e-11, 2e-9, 1e-3], { min: 1e-11, max: 1e-3 }],
    ['L2 norm', false, [-2, 3], {}],
  ] as const)('the %s axis range for %j is %j', (label, log, values, expected) => {
    expect(yRange(label, log, [...values])).toEqual(expected);
  });

  it("learning curves draw the chance level and the constant predictor's loss", () => {
    const r = sampleResult('vanishing-gradients');
    const [loss, acc] = overviewCharts(r).learningCurves;
    expect(loss).toContain('dotted: constant predictor 0.693');
    expect(acc).toMatch(/dotted: chance 0\.5\d*/);
  });

  it('the learning-rate chart draws the warn line its layers crossed, red below a floor, on the scale', () => {
    const view = buildReportView(sampleResult('vanishing-gradients'));
    const box = view.detailedFindings.find((f) => f.id === 'learning-rate')!;
    const svg = box.evidence.find((e) => e.svg?.includes('log10(update / weight)'))!.svg!;
    expect(svg).toContain('dashed: threshold -4 (below it is the problem)');
    const bars = barsChart({
      kind: 'bars',
      title: 'steps',
      labels: ['a', 'b'],
      values: [-2, -6],
      unit: 'log10 ratio',
      logY: false,
      threshold: -4,
      thresholdSide: 'below',
    });
    // Only the bar below the floor is red; the axis reaches the threshold's -4 although no bar ends there.
    expect(bars.match(/fill="#d93025"/g)?.length).toBe(1);
    const above = barsChart({
      kind: 'bars',
      title: 'steps',
      labels: ['a', 'b'],
      values: [-2, -3],
      unit: 'log10 ratio',
      logY: false,
      threshold: -4,
      thresholdSide: 'below',
    });
    expect(above).not.toContain('fill="#d93025"');
    const ticks = [...above.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toContain('-4');
  });

  it('a log-scale bar chart starts below its smallest bar (a bar of 1 on an axis from 1 was invisible)', () => {
    const svg = barsChart({
      kind: 'bars',
      title: 'Input scale',
      labels: ['largest |x|', 'mean |x|', 'assumed: 1'],
      values: [150, 67, 1],
      unit: '|x|',
      logY: true,
      threshold: 100,
    });
    const ticks = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toContain('0.1');
    expect(ticks).toContain('1e+3');
  });

  it('the vanishing ratio chart draws its warn and fail thresholds', () => {
    const f = sampleResult('vanishing-gradients').findings.find((x) => x.id === 'vanishing-gradients')!;
    const ratio = f.evidence.find((e) => e.kind === 'series')!;
    expect(ratio.kind === 'series' && ratio.levels?.map((l) => l.y)).toEqual([0.01, 0.001]);
    expect(seriesChart(ratio as Parameters<typeof seriesChart>[0])).toContain('dotted: warn 0.01');
  });

  it('the learning-rate chart keeps layers whose kernel never moved, labelled, instead of dropping them', () => {
    const a = makeArtifacts({
      weights: [
        {
          epoch: 0,
          weights: [0, 1e-3, 2e-3].map((r, i) => ({
            layer: `dense_${i + 1}`,
            weight: 'kernel',
            shape: [4, 4],
            histogram: null,
            updateRatio: r,
            stats: { count: 16, mean: 0, std: 1, min: -1, max: 1, nonFinite: 0 },
          })),
        },
      ],
    });
    const bars = runOne('learning-rate', a).evidence.find((x) => x.kind === 'bars');
    expect(bars?.kind === 'bars' && bars.labels).toEqual(['dense_2', 'dense_3', 'dense_1 (no step)']);
  });
});

describe("a loaded model's snapshot", () => {
  it('is named "as loaded", not "epoch 0", in every chart and caption of the report', async () => {
    const { renderHtml } = await import('../../src/report/html/render-html.js');
    const html = renderHtml(sampleResult('wine-loaded'));
    expect(html).not.toMatch(/epoch 0\b/);
    expect(html).toContain('as loaded');
  });
});
