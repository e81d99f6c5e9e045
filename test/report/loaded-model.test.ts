import { describe, expect, it } from 'vitest';
import { buildReportView } from '../../src/report/view-model.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import type { AuditResult } from '../../src/result/schema.js';
import { sampleResult } from '../helpers/results.js';

/** Each legend label of an ECharts SVG with the colour of the icon drawn just before it. */
function legendColors(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = svg.split('<text');
  for (let i = 1; i < parts.length; i++) {
    const label = />([^<]*)<\/text>/.exec(parts[i]!)?.[1];
    const strokes = [...parts[i - 1]!.matchAll(/stroke="(#[0-9a-fA-F]{6})"/g)];
    if (label && strokes.length) out.set(label, strokes[strokes.length - 1]![1]!.toLowerCase());
  }
  return out;
}

/** Every chart of the report that draws snapshots: gradient flow, activation curves, kernel weights. */
function snapshotCharts(r: AuditResult): string[] {
  const c = buildReportView(r).charts;
  return [c.gradientFlow, ...c.layerRows.flatMap((row) => [row.activation, row.weights])].filter(
    (s): s is string => s !== null,
  );
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('loaded (not trained) models and snapshot colours in the report', () => {
  it.each(['healthy', 'wine-loaded'])('%s: each snapshot has one colour in every chart that shows it', (name) => {
    const r = sampleResult(name);
    const last = r.measurements.activations[r.measurements.activations.length - 1]!.epoch;
    const wanted = name === 'healthy' ? ['epoch 0', `epoch ${last}`] : ['as loaded'];
    const charts = snapshotCharts(r);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const label of wanted) {
      const colours = new Set(charts.map((svg) => legendColors(svg).get(label)).filter(Boolean));
      // The last epoch was green in the gradient-flow chart (its third series) and orange in the others.
      expect([...colours], `${label} in ${charts.length} charts`).toHaveLength(1);
    }
  });

  it('draws the gradient flow once: a loaded model shows it on page 1, so the internals section leaves it out', () => {
    // The print drawings only: the HTML also carries a phone drawing of every chart, shown instead on narrow screens.
    const print = { phoneCharts: false };
    const html = renderHtml(sampleResult('wine-loaded'), print);
    expect(count(html, 'Gradient flow: kernel-gradient L2 norm')).toBe(1);
    // A trained model's page 1 shows the learning curves; its gradient flow stays in the internals section.
    expect(count(renderHtml(sampleResult('healthy'), print), 'Gradient flow: kernel-gradient L2 norm')).toBe(1);
  });

  it('prints no start/end columns for a loaded model, also from a result written before the analyzer knew', () => {
    const r = sampleResult('wine-loaded');
    const f = r.findings.find((x) => x.id === 'dead-relu')!;
    Object.assign(f, {
      status: 'fail',
      score: 0.25,
      displayValue: '75% dead in hidden',
      evidence: [
        {
          kind: 'table',
          title: 'Dead ReLU units per layer (output <= 0 on every probe sample)',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'units', label: 'Units' },
            { key: 'deadAtStart', label: 'Dead at start' },
            { key: 'dead', label: 'Dead at end' },
            { key: 'fraction', label: 'Dead fraction', unit: '%' },
          ],
          rows: [{ layer: 'hidden', units: 16, deadAtStart: 12, dead: 12, fraction: 0.75 }],
          highlight: [0],
        },
      ],
    });
    const html = renderHtml(r);
    expect(html).toContain('Dead ReLU units per layer');
    expect(html).not.toMatch(/at start|at end/i);
    expect(html).toMatch(/<th[^>]*>Dead<\/th>/);
    // A trained run keeps both: there they are two snapshots.
    const trained = sampleResult('dead-relu');
    expect(renderHtml(trained)).toMatch(/Dead at start/);
  });
});
