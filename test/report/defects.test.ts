import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render-html.js';
import { buildReportView, SPEC_WIDTH } from '../../src/report/view-model.js';
import { sharedBins, rebin } from '../../src/report/charts/shared-bins.js';
import { activationCurveChart, tick } from '../../src/report/charts/activation-curves.js';
import { compactJson } from '../../src/report/compact-json.js';
import { publicReason, displayPath, publicSpec } from '../../src/report/public-text.js';
import { barsChart, heatmapChart, PALETTES } from '../../src/report/charts/evidence-chart.js';
import { labelInterval } from '../../src/report/charts/echarts-svg.js';
import { overviewCharts } from '../../src/report/charts/overview-charts.js';
import { networkDrawing } from '../../src/report/graph/network-drawing.js';
import { sampleResult } from '../helpers/results.js';

/** One case per defect of issue 11 that a string or a number can show (the pictures are in visual.test.ts). */
describe('report defects stay fixed', () => {
  it('first-vs-last histograms share their bins, keep their totals, and a 5-weight layer gets 3 bins', () => {
    const a = { edges: [-1, 0, 1], counts: [3, 7] };
    const b = { edges: [0, 2, 4, 6], counts: [5, 4, 1] };
    const s = sharedBins([a, b]);
    expect(s.edges[0]).toBe(-1);
    expect(s.edges[s.edges.length - 1]).toBe(6);
    expect(s.counts[0]!.reduce((x, y) => x + y, 0)).toBeCloseTo(10, 5);
    expect(s.counts[1]!.reduce((x, y) => x + y, 0)).toBeCloseTo(10, 5);
    const five = {
      edges: Array.from({ length: 31 }, (_, i) => i / 30),
      counts: [1, ...Array(28).fill(0), 4] as number[],
    };
    expect(sharedBins([five]).edges.length - 1).toBe(3);
    expect(rebin({ edges: [0, 0], counts: [5] }, [0, 1, 2])).toEqual([5, 0]); // a zero-width bin (constant weights)
  });

  it('tick labels stay distinct on a narrow pre-activation range', () => {
    const f = tick(-0.0495, -0.0485);
    const labels = [-0.0495, -0.0493, -0.0491, -0.0489, -0.0487, -0.0485].map(f);
    expect(new Set(labels).size).toBe(labels.length);
    expect(tick(-3, 7)(2.5)).toBe('2.5');
  });

  it('the spec appendix keeps every line within the printed width, so nothing wraps inside a token', () => {
    const r = sampleResult('overfitting');
    const text = compactJson(r.spec, SPEC_WIDTH);
    // Only a single long string may exceed the width (the CSS then wraps it at its spaces, never inside a word).
    for (const line of text.split('\n'))
      if (line.length > SPEC_WIDTH) expect(line, line).toMatch(/^ *"[^"]+": "[^"]*",?$/);
    expect(text).toMatch(/\n {6}"layers": \[/); // indentation kept
    expect(text).toMatch(/"useBias": ?true/); // one token, never "t" / "rue"
  });

  it('the Environment row prints no local path and no loader error', () => {
    const reason =
      "fastest that loaded (tensorflow: Cannot find package '@tensorflow/tfjs-node' imported from /work/main/dist/src/gather/backend.js)";
    expect(publicReason(reason)).toBe('fastest that loaded');
    expect(publicReason('requested by --backend')).toBe('requested by --backend');
    expect(displayPath('/home/alice/models/wine/model.json')).toBe('model.json');
    expect(displayPath('https://user:pw@example.com/m/model.json?token=1')).toBe('https://example.com/m/model.json');
    const view = buildReportView(sampleResult('healthy'));
    expect(view.environment.map(([, v]) => v).join(' ')).not.toMatch(/\/work\/|Cannot find/);
  });

  it.each([
    [
      'a loaded model file',
      { model: { load: { path: '/home/alice/clients/acme/models/k3/model.keras' } } },
      '/home/alice',
      'model.keras',
    ],
    ['a data file', { data: { source: 'csv', path: '/srv/data/acme/train.csv' } }, '/srv/data', 'train.csv'],
    [
      'an image folder on Windows',
      { data: { source: 'images', dir: 'C:\\Users\\alice\\fashion\\png' } },
      'Users',
      'png',
    ],
    ['a file URL', { model: { load: { url: 'file:///home/alice/m/w/model.json' } } }, 'alice', 'model.json'],
    [
      'a URL with a token',
      { model: { load: { url: 'https://u:pw@models.example.com/m/model.json?token=s3cret' } } },
      's3cret',
      'https://models.example.com/m/model.json',
    ],
  ])('the spec appendix shows %s through displayPath, like the header', (_, spec, secret, shown) => {
    const r = sampleResult('healthy');
    const view = buildReportView({ ...r, spec: { ...(r.spec as object), ...spec } as typeof r.spec });
    expect(view.spec?.text).not.toContain(secret);
    expect(view.spec?.text).toContain(shown);
  });

  it('the spec appendix keeps strings that only look a little like paths', () => {
    expect(
      publicSpec({
        loss: 'categoricalCrossentropy',
        d: 'bars/stripes in 12x12 images',
        rel: 'data/iris.csv',
        n: 3,
        ok: true,
        xs: ['relu', null],
      }),
    ).toEqual({
      loss: 'categoricalCrossentropy',
      d: 'bars/stripes in 12x12 images',
      rel: 'data/iris.csv',
      n: 3,
      ok: true,
      xs: ['relu', null],
    });
  });

  it('the spec appendix shows inline data rows by their shape, not 400 rows of numbers (a 18-page PDF before)', () => {
    const x = Array.from({ length: 400 }, (_, i) => [i / 400, -i / 400]);
    const y = Array.from({ length: 400 }, (_, i) => i % 2);
    expect(
      publicSpec({
        data: { json: { x, y } },
        model: { train: { inputShape: [28, 28, 1], layers: [{ type: 'dense', units: 8 }] } },
      }),
    ).toEqual({
      data: { json: { x: '(400 rows of 2 values: not shown)', y: '(400 values: not shown)' } },
      model: { train: { inputShape: [28, 28, 1], layers: [{ type: 'dense', units: 8 }] } },
    });
  });

  it('a layer without an activation (max pooling) shows its output values, not a made-up "linear"', () => {
    const r = sampleResult('cnn-bars');
    const acts = r.measurements.activations;
    const pool = acts.at(-1)!.layers.find((l) => l.activation === null && l.histogram)!;
    const svg = activationCurveChart(acts[0], acts.at(-1)!, pool.layer)!;
    expect(svg).toContain('output values');
    expect(svg).not.toMatch(/linear/);
    // A layer that does have one still names it.
    const conv = acts.at(-1)!.layers.find((l) => l.activation === 'relu')!;
    expect(activationCurveChart(acts[0], acts.at(-1)!, conv.layer)).toContain('relu(z)');
  });

  it('the data appendix shows the class order and how it was chosen', () => {
    const r = sampleResult('cnn-bars');
    const order = 'sorted folder names (the Keras image_dataset_from_directory default; set data.classes to change it)';
    const rows = new Map(
      buildReportView({ ...r, data: { ...r.data, classes: { names: ['horizontal', 'vertical'], order } } }).dataRows,
    );
    expect([...rows.values()]).toContain('horizontal=0, vertical=1');
    expect([...rows.values()]).toContain(order);
    const many = Array.from({ length: 45 }, (_, i) => `c${i}`);
    const big = buildReportView({ ...r, data: { ...r.data, classes: { names: many, order: 'data.classes' } } })
      .dataRows.map(([, v]) => v)
      .join(' ');
    expect(big).toContain('c29=29, and 15 more');
    expect(
      buildReportView(sampleResult('healthy'))
        .dataRows.map(([k]) => k)
        .join(' '),
    ).not.toMatch(/Class/); // regression: no classes recorded
  });

  it('bar charts of a deep model thin their rotated layer labels; a few layers keep every label', () => {
    // 34 layers in the 596 px plot at 30 degrees: 8.8 px between neighbouring labels, less than a 10 px line of text.
    expect(labelInterval(34, 596, 30)).toBeGreaterThan(0);
    expect(labelInterval(8, 596, 30)).toBe(0);
    const names = Array.from({ length: 34 }, (_, i) => `block${i + 1}_dense_relu`);
    const svg = barsChart({
      kind: 'bars',
      title: 'Dead fraction per ReLU layer',
      labels: names,
      values: names.map(() => 0.5),
      unit: 'fraction',
      threshold: 0.4,
    });
    const drawn = names.filter((n) => svg.includes(`>${n}<`));
    expect(drawn.length).toBeLessThan(names.length);
    expect(drawn).toContain(names[0]);
    expect(svg).toContain('one label in');
  });

  it('the layer table marks a frozen layer (trainable: false) beside its parameter count', () => {
    const r = sampleResult('healthy');
    const layers = r.model.layers.map((l, i) => (i === 0 ? { ...l, trainable: false } : l));
    const rows = buildReportView({ ...r, model: { ...r.model, layers } }).layerTable.rows.map((row) =>
      row.cells.at(-1),
    );
    expect(rows[0]).toMatch(/^[\d,]+ \(frozen\)$/);
    expect(rows.slice(1).join(' ')).not.toMatch(/frozen/);
  });

  it('n/a rows say why they do not apply instead of the pass headline', () => {
    const r = sampleResult('healthy');
    const na = r.findings.find((f) => f.status === 'notApplicable')!;
    const row = buildReportView(r).findings.find((f) => f.id === na.id)!;
    expect(row.headline).toBe(`not applicable: ${na.displayValue}`);
    expect(row.headline).not.toContain(na.title);
  });

  it('details only for findings that are not a pass; page 1 carries one chart for the worst finding', () => {
    const view = buildReportView(sampleResult('overfitting'));
    expect(view.detailedFindings.map((f) => f.id)).toEqual(['overfitting']);
    expect(view.verdictChart?.caption).toBe('Root cause: overfitting');
    // A clean run's page 1 carries the learning curves themselves, and the internals section does not repeat them.
    const healthy = buildReportView(sampleResult('healthy'));
    expect(healthy.verdictChart).toBeNull();
    expect(healthy.learningCurvesOnPage1).toBe(true);
  });

  it("when the worst finding has only a table, the page-1 chart is captioned as the next finding's, not as the worst", () => {
    // A Dropout(0.9) model: dropout-rate fails with a table, underfitting warns with a chart. It read "Worst finding: underfitting".
    const r = sampleResult('overfitting');
    const table = {
      kind: 'table' as const,
      title: 'Dropout layers',
      columns: [{ key: 'layer', label: 'Layer' }],
      rows: [{ layer: 'dropout_1' }],
      highlight: [0],
    };
    const worst = { ...r.findings.find((f) => f.id === 'overfitting')!, id: 'dropout-rate', evidence: [table] };
    const view = buildReportView({ ...r, findings: [worst, ...r.findings] });
    expect(view.verdictChart?.caption).toBe('Root cause with a chart: overfitting (dropout-rate has a table)');
  });

  it('a gradient-flow chart with every gradient exactly 0 becomes a note, not an empty log chart', () => {
    const r = sampleResult('healthy');
    for (const e of r.measurements.gradients) for (const l of e.layers) if (l.kernelNorm !== null) l.kernelNorm = 0;
    const c = overviewCharts(r);
    expect(c.gradientFlow).toBeNull();
    expect(c.gradientNote).toMatch(/every kernel gradient is exactly 0/);
  });

  it('the gradient magnitude heatmap uses no alarm red', () => {
    const svg = heatmapChart(
      {
        kind: 'heatmap',
        title: 't',
        xLabel: 'x',
        yLabel: 'y',
        xLabels: ['0', '1'],
        yLabels: ['a'],
        values: [[1, 100]],
        valueLabel: 'v',
        logScale: true,
      },
      64,
      24,
      PALETTES.magnitude,
    );
    expect(svg.toLowerCase()).not.toContain('#d93025');
    expect(PALETTES.magnitude.map((c) => c.toLowerCase())).not.toContain('#d93025');
  });

  it('draws a small dense network neuron by neuron: one line per connection, dead units crossed out', () => {
    const r = sampleResult('dead-relu');
    const d = networkDrawing(r)!;
    expect(d).not.toBeNull();
    const acts = r.measurements.activations[r.measurements.activations.length - 1]!;
    const dead = acts.layers
      .filter((l) => l.activation === 'relu')
      .reduce((n, l) => n + l.unitNonPositiveFraction.filter((f) => f >= 1).length, 0);
    expect(dead).toBeGreaterThan(0);
    expect((d.svg.match(/<path d="M/g) ?? []).length).toBe(dead + 1); // + the legend's cross
    expect((d.svg.match(/<line /g) ?? []).length).toBeGreaterThan(100);
    const healthy = networkDrawing(sampleResult('healthy'))!;
    expect((healthy.svg.match(/<path d="M/g) ?? []).length).toBeLessThan(dead + 1);
  });

  it('the whole report renders with every fix in place', () => {
    const html = renderHtml(sampleResult('overfitting'));
    expect(html).toContain('dashed: best val_loss'); // the marker label sits in the subtitle, not on the title
  });
});
