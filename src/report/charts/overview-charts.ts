import type { AuditResult } from '../../result/schema.js';
import type { Histogram } from '../../artifacts/schema.js';
import { COLORS, logAxis, renderSvg, sampleEvenly, shortLabel } from './echarts-svg.js';
import { heatmapChart, histogramChart, seriesChart } from './evidence-chart.js';
import { EVIDENCE_IDS } from '../../result/vocabulary.js';

/** At most this many per-layer small multiples: a 60-layer model gets a readable sample, affected layers first. */
export const MAX_LAYER_PANELS = 12;

export interface OverviewCharts {
  learningCurves: string[];
  gradientFlow: string | null;
  gradientHeatmap: string | null;
  deadUnits: string | null;
  activationHistograms: string[];
  weightHistograms: string[];
  panelNote: string | null;
}

/** The charts every report shows, drawn from the result's measurements alone. */
export function overviewCharts(r: AuditResult): OverviewCharts {
  const affected = new Set(r.findings.filter((f) => f.status === 'fail' || f.status === 'warn').flatMap((f) => f.affectedLayers));
  const layersWithActivations = r.measurements.activations[r.measurements.activations.length - 1]?.layers ?? [];
  const panelLayers = pickPanels(layersWithActivations.map((l) => l.layer), affected);
  return {
    learningCurves: learningCurves(r),
    gradientFlow: gradientFlow(r),
    gradientHeatmap: gradientHeatmap(r),
    deadUnits: deadUnits(r),
    activationHistograms: activationHistograms(r, panelLayers),
    weightHistograms: weightHistograms(r, panelLayers),
    panelNote: panelLayers.length < layersWithActivations.length
      ? `Showing ${panelLayers.length} of ${layersWithActivations.length} layers (flagged layers first, then evenly spaced); every layer is in the tables.`
      : null,
  };
}

function pickPanels(layers: string[], affected: Set<string>): string[] {
  if (layers.length <= MAX_LAYER_PANELS) return layers;
  const flagged = layers.filter((l) => affected.has(l)).slice(0, MAX_LAYER_PANELS);
  const rest = sampleEvenly(layers.filter((l) => !affected.has(l)), MAX_LAYER_PANELS - flagged.length);
  const keep = new Set([...flagged, ...rest]);
  return layers.filter((l) => keep.has(l));
}

function learningCurves(r: AuditResult): string[] {
  const h = r.training.history;
  if (!h || h.epochs.length === 0) return [];
  const overfit = r.findings.find((f) => f.id === 'overfitting');
  // By id; results written before evidence had ids (schemaVersion 1 allows both) are recognized by their y axis.
  const lossEvidence = overfit?.evidence.find((e) => e.kind === 'series' && (e.id === EVIDENCE_IDS.lossCurves || (e.id === undefined && e.yLabel === 'loss')));
  const markers = lossEvidence?.kind === 'series' ? lossEvidence.markers : [];
  const regions = lossEvidence?.kind === 'series' ? lossEvidence.regions : [];
  const charts: string[] = [];
  const metricNames = Object.keys(h.series).filter((k) => !k.startsWith('val_'));
  for (const name of metricNames) {
    const series = [{ name: `train ${name}`, values: h.series[name]! }];
    if (h.series[`val_${name}`]) series.push({ name: `validation ${name}`, values: h.series[`val_${name}`]! });
    charts.push(seriesChart({
      kind: 'series', title: `Learning curve: ${name}`, xLabel: 'epoch', yLabel: name, x: h.epochs, logY: false, series,
      markers: name === 'loss' ? markers : [], regions: name === 'loss' ? regions : [],
    }));
  }
  return charts;
}

function gradientFlow(r: AuditResult): string | null {
  const g = r.measurements.gradients;
  if (g.length === 0) return null;
  const picks = [...new Map([g[0]!, g[Math.floor((g.length - 1) / 2)]!, g[g.length - 1]!].map((e) => [e.epoch, e])).values()];
  const layers = g[0]!.layers.filter((l) => l.kernelNorm !== null).map((l) => l.layer);
  if (layers.length === 0) return null;
  const shown = sampleEvenly(layers, 40);
  const rotate = shown.length > 6 ? 35 : 0;
  return renderSvg({
    title: { text: 'Gradient flow: kernel-gradient L2 norm per layer (input side left)', left: 0, textStyle: { fontSize: 13, fontWeight: 'bold' } },
    legend: { bottom: 0, left: 'center' },
    grid: { left: 64, right: 20, top: 36, bottom: rotate ? 110 : 62 },
    xAxis: { type: 'category', data: shown.map((l) => shortLabel(l)), axisLabel: { rotate, interval: 0, fontSize: 10 } },
    yAxis: logAxis('L2 norm (log)'),
    series: picks.map((e) => ({
      type: 'line', name: `epoch ${e.epoch}`, symbolSize: 5,
      data: shown.map((l) => { const v = e.layers.find((x) => x.layer === l)?.kernelNorm ?? null; return v !== null && v > 0 ? v : null; }),
    })),
  }, 680, rotate ? 340 : 290);
}

function gradientHeatmap(r: AuditResult): string | null {
  const g = r.measurements.gradients;
  if (g.length < 2) return null;
  const layers = g[0]!.layers.filter((l) => l.kernelNorm !== null).map((l) => l.layer);
  if (layers.length === 0) return null;
  return heatmapChart({
    kind: 'heatmap', title: 'Kernel-gradient L2 norm, layer x epoch', xLabel: 'epoch', yLabel: 'layer',
    xLabels: g.map((e) => String(e.epoch)), yLabels: layers,
    values: layers.map((l) => g.map((e) => e.layers.find((x) => x.layer === l)?.kernelNorm ?? null)),
    valueLabel: 'L2 norm', logScale: true,
  }, 64, 30);
}

function deadUnits(r: AuditResult): string | null {
  const last = r.measurements.activations[r.measurements.activations.length - 1];
  const relu = (last?.layers ?? []).filter((l) => l.activation === 'relu' || l.activation === 'relu6');
  if (relu.length === 0) return null;
  return heatmapChart({
    kind: 'heatmap', title: 'ReLU units: share of probe outputs <= 0 (1 = dead)', xLabel: 'unit', yLabel: 'layer',
    xLabels: Array.from({ length: Math.max(...relu.map((l) => l.unitNonPositiveFraction.length)) }, (_, i) => String(i)),
    yLabels: relu.map((l) => l.layer), values: relu.map((l) => l.unitNonPositiveFraction), valueLabel: 'share <= 0',
  });
}

function activationHistograms(r: AuditResult, layers: string[]): string[] {
  const last = r.measurements.activations[r.measurements.activations.length - 1];
  if (!last) return [];
  return last.layers.filter((l) => layers.includes(l.layer)).flatMap((l) => {
    const h = l.preActivation?.histogram ?? l.histogram;
    if (!h) return [];
    const what = l.preActivation ? `pre-activation z (${l.activation})` : `output${l.activation ? ` (${l.activation})` : ''}`;
    return [histogramChart({ kind: 'histogram', title: `${shortLabel(l.layer, 28)}: ${what}`, xLabel: l.preActivation ? 'z' : 'value', edges: h.edges, counts: h.counts })];
  });
}

function weightHistograms(r: AuditResult, layers: string[]): string[] {
  const w = r.measurements.weights;
  const first = w[0];
  const last = w[w.length - 1];
  if (!first) return [];
  return first.weights.filter((x) => x.weight === 'kernel' && layers.includes(x.layer) && x.histogram).map((x) => {
    const end = last && last !== first ? last.weights.find((y) => y.layer === x.layer && y.weight === x.weight)?.histogram ?? null : null;
    return overlayHistogram(`${shortLabel(x.layer, 28)} kernel`, x.histogram!, `epoch ${first.epoch}`, end, last ? `epoch ${last.epoch}` : '');
  });
}

/** Two histograms with different bin edges on one value axis, as step lines. */
function overlayHistogram(title: string, a: Histogram, aName: string, b: Histogram | null, bName: string): string {
  const steps = (h: Histogram) => h.counts.flatMap((c, i) => [[h.edges[i]!, c], [h.edges[i + 1]!, c]]);
  return renderSvg({
    title: { text: title, left: 0, textStyle: { fontSize: 11, fontWeight: 'bold' } },
    legend: { bottom: 0, left: 'center', itemHeight: 6, textStyle: { fontSize: 9 } },
    grid: { left: 45, right: 10, top: 28, bottom: 44 },
    xAxis: { type: 'value', scale: true, axisLabel: { fontSize: 9 }, splitLine: { show: false } },
    yAxis: { type: 'value', axisLabel: { fontSize: 9 }, splitLine: { lineStyle: { color: COLORS.grid } } },
    series: [
      { type: 'line', name: aName, data: steps(a), showSymbol: false, areaStyle: { opacity: 0.15 }, lineStyle: { width: 1 } },
      ...(b ? [{ type: 'line' as const, name: bName, data: steps(b), showSymbol: false, areaStyle: { opacity: 0.15 }, lineStyle: { width: 1 } }] : []),
    ],
  }, 330, 215);
}
