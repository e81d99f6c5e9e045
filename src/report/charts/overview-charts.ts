import type { AuditResult } from '../../result/schema.js';
import { COLORS, renderSvg, sampleEvenly, shortLabel, snapshotColor, titleBlock } from './echarts-svg.js';
import { heatmapChart, seriesChart } from './evidence-chart.js';
import { gradientFlow, gradientHeatmap } from './gradient-charts.js';
import { snapshotName } from './snapshots.js';
import { activationCurveChart, tick } from './activation-curves.js';
import { sharedBins, steps } from './shared-bins.js';
import { EVIDENCE_IDS } from '../../result/vocabulary.js';
import { num } from '../number-format.js';

/** At most this many per-layer small multiples (two printed pages): a deep model gets a readable sample, affected layers first. */
export const MAX_LAYER_PANELS = 6;

export interface OverviewCharts {
  learningCurves: string[];
  gradientFlow: string | null;
  /** Few layers: the gradient-flow chart is half width, beside the learning curves. */
  gradientFlowSmall: boolean;
  /** Said instead of a chart when there is nothing a log scale can show (every gradient exactly 0). */
  gradientNote: string | null;
  gradientHeatmap: string | null;
  deadUnits: string | null;
  /** One row per shown layer: its activation function over its inputs, and its kernel weights. */
  layerRows: Array<{ activation: string | null; weights: string | null }>;
  panelNote: string | null;
  activationEpochs: string;
}

export { snapshotName };

const hasHeatmap = (r: AuditResult, id: string) =>
  r.findings.some((f) => f.id === id && f.evidence.some((e) => e.kind === 'heatmap'));
const flagged = (r: AuditResult, ids: string[]) =>
  r.findings.some((f) => ids.includes(f.id) && f.status !== 'pass' && f.status !== 'notApplicable');

/** The charts every report shows, drawn from the result's measurements alone. */
export function overviewCharts(r: AuditResult): OverviewCharts {
  const affected = new Set(
    r.findings.filter((f) => f.status === 'fail' || f.status === 'warn').flatMap((f) => f.affectedLayers),
  );
  const acts = r.measurements.activations;
  const first = acts[0];
  const last = acts[acts.length - 1];
  const layersWithActivations = last?.layers ?? [];
  // Layers without weights or an activation (pooling, flatten, dropout) pass on values the layer before already
  // shows: a row each, half empty, took a CNN's PASS report to a fourth page.
  const model = new Map(r.model.layers.map((l) => [l.name, l]));
  const drawn = layersWithActivations
    .map((l) => l.layer)
    .filter((name) => {
      const m = model.get(name);
      return !m || m.params > 0 || (m.activation !== null && m.activation !== 'linear') || affected.has(name);
    });
  const passThrough = layersWithActivations.length - drawn.length;
  const panelLayers = pickPanels(drawn, affected);
  const flow = gradientFlow(r, layersWithActivations.length <= 6 ? 340 : 680);
  const snap = snapshotName(r);
  // The layer x epoch heatmap and the per-unit dead map earn their space only when their finding is not a pass.
  return {
    learningCurves: learningCurves(r),
    gradientFlow: flow.svg,
    gradientFlowSmall: layersWithActivations.length <= 6,
    gradientNote: flow.note,
    // Not when a flagged finding's box already draws the same map (gradient findings carry the layer x epoch
    // heatmap, dead-relu the per-unit map): the report showed each twice.
    gradientHeatmap:
      flagged(r, ['learning-rate', 'non-finite-values']) && !flagged(r, ['vanishing-gradients', 'exploding-gradients'])
        ? gradientHeatmap(r)
        : null,
    deadUnits: flagged(r, ['dead-relu']) && !hasHeatmap(r, 'dead-relu') ? deadUnits(r) : null,
    layerRows: layerRows(r, panelLayers),
    panelNote: panelNote(panelLayers.length, drawn.length, passThrough),
    activationEpochs:
      first && last && first !== last ? `${snap(first.epoch)} vs ${snap(last.epoch)}` : last ? snap(last.epoch) : '',
  };
}

function panelNote(shown: number, drawable: number, passThrough: number): string | null {
  const parts = [
    shown < drawable
      ? `Showing ${shown} of ${drawable} layers (flagged layers first, then evenly spaced); every layer is in the tables.`
      : null,
    passThrough
      ? `${passThrough} layer${passThrough === 1 ? '' : 's'} without weights or an activation (pooling, flattening, dropout) ${passThrough === 1 ? 'is' : 'are'} not drawn: ${passThrough === 1 ? 'its' : 'their'} outputs repeat the layer before.`
      : null,
  ].filter((x) => x !== null);
  return parts.length ? parts.join(' ') : null;
}

function pickPanels(layers: string[], affected: Set<string>): string[] {
  if (layers.length <= MAX_LAYER_PANELS) return layers;
  const flaggedLayers = layers.filter((l) => affected.has(l)).slice(0, MAX_LAYER_PANELS);
  const rest = sampleEvenly(
    layers.filter((l) => !affected.has(l)),
    MAX_LAYER_PANELS - flaggedLayers.length,
  );
  const keep = new Set([...flaggedLayers, ...rest]);
  return layers.filter((l) => keep.has(l));
}

/** One learning curve per metric (train and validation), half-width so two sit side by side. */
export function learningCurves(r: AuditResult, width = 340): string[] {
  const h = r.training.history;
  if (!h || h.epochs.length === 0) return [];
  const overfit = r.findings.find((f) => f.id === 'overfitting');
  // By id; results written before evidence had ids (schemaVersion 1 allows both) are recognized by their y axis.
  const lossEvidence = overfit?.evidence.find(
    (e) => e.kind === 'series' && (e.id === EVIDENCE_IDS.lossCurves || (e.id === undefined && e.yLabel === 'loss')),
  );
  const markers = lossEvidence?.kind === 'series' ? lossEvidence.markers : [];
  const regions = lossEvidence?.kind === 'series' ? lossEvidence.regions : [];
  const metricNames = Object.keys(h.series).filter((k) => !k.startsWith('val_'));
  return metricNames.map((name) => {
    const series = [{ name: `train ${name}`, values: h.series[name]! }];
    if (h.series[`val_${name}`]) series.push({ name: `validation ${name}`, values: h.series[`val_${name}`]! });
    // The level a model that learned nothing reaches, so a flat run at chance reads as one.
    const chance = name === 'loss' ? r.data.trivialLoss : /acc/.test(name) ? r.data.chanceAccuracy : null;
    const level =
      chance !== null && chance !== undefined && Number.isFinite(chance)
        ? [{ y: chance, label: name === 'loss' ? `constant predictor ${num(chance)}` : `chance ${num(chance)}` }]
        : [];
    return seriesChart(
      {
        kind: 'series',
        title: `Learning curve: ${name}`,
        xLabel: 'epoch',
        yLabel: name,
        x: h.epochs,
        logY: false,
        series,
        markers: name === 'loss' ? markers : [],
        regions: name === 'loss' ? regions : [],
        levels: level,
      },
      width,
      200,
    );
  });
}

function deadUnits(r: AuditResult): string | null {
  const last = r.measurements.activations[r.measurements.activations.length - 1];
  const relu = (last?.layers ?? []).filter((l) => l.activation === 'relu' || l.activation === 'relu6');
  if (relu.length === 0) return null;
  return heatmapChart({
    kind: 'heatmap',
    title: 'ReLU units: share of probe outputs <= 0 (1 = dead)',
    xLabel: 'unit',
    yLabel: 'layer',
    xLabels: Array.from({ length: Math.max(...relu.map((l) => l.unitNonPositiveFraction.length)) }, (_, i) =>
      String(i),
    ),
    yLabels: relu.map((l) => l.layer),
    values: relu.map((l) => l.unitNonPositiveFraction),
    valueLabel: 'share <= 0',
    range: { min: 0, max: 1 },
  });
}

/**
 * Height of each per-layer chart (330 wide): 160 fits five layer rows on a printed page where 200 fitted four, so a
 * ten-layer network's panels take two pages instead of three.
 */
const LAYER_ROW_HEIGHT = 160;

function layerRows(r: AuditResult, layers: string[]): OverviewCharts['layerRows'] {
  const acts = r.measurements.activations;
  const last = acts[acts.length - 1];
  const weights = weightHistograms(r, layers);
  return layers
    .map((l) => ({
      activation: last ? activationCurveChart(acts[0], last, l, 330, LAYER_ROW_HEIGHT, snapshotName(r)) : null,
      weights: weights.get(l) ?? null,
    }))
    .filter((row) => row.activation !== null || row.weights !== null);
}

/** Kernel weights, first vs last epoch, on one set of bins so the heights compare. */
function weightHistograms(r: AuditResult, layers: string[]): Map<string, string> {
  const w = r.measurements.weights;
  const first = w[0];
  const last = w[w.length - 1];
  if (!first) return new Map();
  return new Map(
    first.weights
      .filter((x) => x.weight === 'kernel' && layers.includes(x.layer) && x.histogram)
      .map((x) => {
        const end =
          last && last !== first
            ? (last.weights.find((y) => y.layer === x.layer && y.weight === x.weight)?.histogram ?? null)
            : null;
        const { edges, counts } = sharedBins(end ? [x.histogram!, end] : [x.histogram!]);
        const { title, gridTop } = titleBlock(
          `${shortLabel(x.layer, 28)} kernel`,
          `${x.stats.count.toLocaleString('en-US')} weights, ${edges.length - 1} shared bins`,
          330,
          11,
        );
        const lo = edges[0]!;
        const hi = edges[edges.length - 1]!;
        return [
          x.layer,
          renderSvg(
            {
              title,
              legend: { bottom: 0, left: 'center', itemHeight: 6, textStyle: { fontSize: 9 } },
              grid: { left: 48, right: 12, top: gridTop, bottom: 44 },
              xAxis: {
                type: 'value',
                min: lo,
                max: hi,
                axisLabel: { fontSize: 9, hideOverlap: true, formatter: tick(lo, hi) },
                splitLine: { show: false },
              },
              yAxis: {
                type: 'value',
                axisLine: { onZero: false },
                axisLabel: { fontSize: 9 },
                splitLine: { lineStyle: { color: COLORS.grid } },
              },
              series: counts.map((c, i) => ({
                type: 'line' as const,
                name: snapshotName(r)(i === 0 ? first.epoch : last!.epoch),
                color: snapshotColor(i, counts.length),
                data: steps(edges, c),
                showSymbol: false,
                areaStyle: { opacity: 0.15 },
                lineStyle: { width: 1 },
              })),
            },
            330,
            LAYER_ROW_HEIGHT,
          ),
        ] as const;
      }),
  );
}
