import type { AuditResult, Finding } from '../result/schema.js';
import { escapeControl } from '../util/terminal-text.js';
import { evidenceChart } from './charts/evidence-chart.js';
import { activationCurveChart } from './charts/activation-curves.js';
import { overviewCharts, snapshotName, type OverviewCharts } from './charts/overview-charts.js';
import { isUntrained } from './charts/snapshots.js';
import { displayPath, publicReason } from './public-text.js';
import { trendView } from './trend-view.js';
import { isListedChain, layerGraphSvgs } from './graph/layer-graph.js';
import { networkDrawing } from './graph/network-drawing.js';
import { printedSpec } from './printed-spec.js';
import { STATUS_LABEL } from '../result/vocabulary.js';
import { causesOf, deferToCauses, fixFirstText, rankByCause, rootCausesOf } from '../result/causes.js';
import { firstSentence, thresholdLine } from './finding-text.js';
import { num } from './number-format.js';
import { MAX_TABLE_ROWS, tableView } from './table-view.js';
import { dataRows, MAX_CLASS_NAMES } from './data-rows.js';
import { publicResult } from './public-result.js';

export { STATUS_LABEL };

export type { EvidenceView, FindingView, ReportView, TableView } from './view-types.js';
import type { EvidenceView, FindingView, ReportView } from './view-types.js';

export { SPEC_WIDTH } from './printed-spec.js';

export { MAX_CLASS_NAMES, MAX_TABLE_ROWS, num };

const isDetailed = (f: Finding) => f.status === 'fail' || f.status === 'warn' || f.status === 'error';

/** Findings about an activation's zone: their chart is the activation curve over the layer's inputs, zone shaded. */
const ZONE_FINDINGS = new Set(['saturated-activations', 'dead-relu']);

/**
 * The activation function's curve over the first affected layer's pre-activations, first vs last epoch, with the
 * saturated (|z| >= 5) or dead (z <= 0) zone shaded: a plain histogram of z showed neither the curve nor the zone.
 */
function zoneChart(r: AuditResult, f: Finding, width: number): string | null {
  if (!ZONE_FINDINGS.has(f.id) || !isDetailed(f)) return null;
  const acts = r.measurements.activations;
  const last = acts[acts.length - 1];
  const layer = f.affectedLayers[0];
  return last && layer
    ? activationCurveChart(acts[0], last, layer, width, width > 400 ? 260 : 200, snapshotName(r))
    : null;
}

function findingView(f: Finding, all: readonly Finding[], r: AuditResult): FindingView {
  // Passing findings are one summary line; details and charts only where something is wrong, to keep reports short.
  const detailed = isDetailed(f);
  const causes = causesOf(f, all).map((c) => c.id);
  const zone = zoneChart(r, f, 340);
  return {
    followsFrom: causes.length ? `follows from ${causes.join(', ')}` : null,
    // A symptom's first change is its root cause's fix, not its own remedy.
    firstChange: causes.length
      ? fixFirstText((rootCausesOf(f, all)[0] ?? causesOf(f, all)[0]!).id)
      : f.recommendation
        ? firstSentence(f.recommendation)
        : null,
    thresholdLine: thresholdLine(f.thresholds),
    headline: f.status === 'notApplicable' ? `not applicable: ${f.displayValue}` : `${f.title}: ${f.displayValue}`,
    shortHeadline: `${f.title}: ${f.displayValue.split('; ')[0]}`,
    quietLine:
      f.status === 'notApplicable'
        ? `not applicable: ${f.displayValue.split('; ')[0]}`
        : `${f.title}: ${f.displayValue.split('; ')[0]}`,
    detailed,
    id: f.id,
    anchor: `finding-${f.id}`,
    title: f.title,
    status: f.status,
    statusLabel: STATUS_LABEL[f.status],
    displayValue: f.displayValue,
    description: f.description,
    recommendation: f.recommendation,
    verifiedFix: f.verifiedFix?.text ?? null,
    errorMessage: f.errorMessage,
    affectedLayers: f.affectedLayers.join(', '),
    evidence: [
      ...(zone ? [{ title: 'activation over its inputs', table: null, svg: zone, wide: false }] : []),
      // The curve replaces the plain histograms of z it draws over.
      ...f.evidence
        .filter((e) => !(zone && e.kind === 'histogram'))
        .flatMap((e): EvidenceView[] => {
          if (e.kind === 'table')
            return [{ title: e.title, table: tableView(e, isUntrained(r)), svg: null, wide: true }];
          // Heatmaps and bar charts of many layers need the full width to keep their labels apart.
          // A heatmap of a few epochs (the gradient norms, layer x epoch) fits half the width, beside the ratio chart.
          const wide = (e.kind === 'heatmap' && e.xLabels.length > 8) || (e.kind === 'bars' && e.labels.length > 4);
          return detailed ? [{ title: e.title, table: null, svg: evidenceChart(e, wide ? 680 : 340), wide }] : [];
        }),
    ],
  };
}

/**
 * The root cause's first chart (findings ranked by cause, so not the first fail in id order); for a clean run, the
 * loss curve (the chart a reader checks first). Only root causes are charted on page 1: when the first one's
 * evidence is only a table (dropout-rate), the chart is another root cause's, and the caption says so; when no root
 * cause has a chart (unnormalized inputs: a table of feature ranges), page 1 shows the first one's table rather
 * than a symptom's chart.
 */
function verdictChart(r: AuditResult, ranked: readonly Finding[], charts: OverviewCharts): ReportView['verdictChart'] {
  const detailed = ranked.filter(isDetailed);
  const roots = detailed.filter((f) => causesOf(f, ranked).length === 0);
  const caption = (f: Finding) => {
    const followers = detailed.filter((d) => causesOf(d, ranked).some((c) => c.id === f.id)).map((d) => d.id);
    const after = followers.length
      ? ` (${followers.join(' and ')} follow${followers.length === 1 ? 's' : ''} from it)`
      : '';
    return f === detailed[0]
      ? `Root cause: ${f.id}${after}`
      : `Root cause with a chart: ${f.id} (${detailed[0]!.id} has a table)`;
  };
  for (const f of roots) {
    const zone = zoneChart(r, f, 680);
    for (const e of zone ? [null] : f.evidence) {
      if (e?.kind === 'table') continue;
      const svg = e ? evidenceChart(e) : zone;
      if (svg) return { caption: caption(f), svg, table: null };
    }
  }
  const table = roots[0]?.evidence.find((e) => e.kind === 'table');
  if (roots[0] && table?.kind === 'table')
    return { caption: caption(roots[0]), svg: null, table: tableView(table, isUntrained(r)) };
  // A clean run's page 1 shows the learning curves themselves (charts.learningCurvesOnPage1), not a copy of one.
  if (charts.learningCurves.length) return null;
  return charts.gradientFlow ? { caption: 'Gradient flow', svg: charts.gradientFlow, table: null } : null;
}

function quietCountText(pass: number, na: number): string {
  const parts = [
    pass ? `${pass} check${pass === 1 ? '' : 's'} passed` : null,
    na ? `${na} not applicable` : null,
  ].filter(Boolean);
  return `${parts.join(', ')}: listed at the end`;
}

/** Everything the template shows, computed from the result document alone. */
export function buildReportView(result: AuditResult): ReportView {
  // Every text the report prints (messages, warnings, the baseline's file) without local paths: reports get emailed.
  const r = publicResult(result);
  const count = (s: Finding['status']) => r.findings.filter((f) => f.status === s).length;
  const m = r.model;
  const network = networkDrawing(r);
  // The neuron-by-neuron drawing replaces the connection graph; without it a plain chain is shown by the table.
  const chain = !network && isListedChain(r, MAX_TABLE_ROWS);
  const flagged = new Set(r.findings.filter(isDetailed).flatMap((f) => f.affectedLayers));
  const charts = overviewCharts(r);
  // Results written before causes were ranked are read the same way (both steps are idempotent).
  const ranked = rankByCause(deferToCauses(r.findings));
  const findings = ranked.map((f) => findingView(f, ranked, r));
  const quiet = findings.filter((f) => !f.detailed);
  const met = r.gate.assertions.filter((a) => a.passed).length;
  const page1Chart = verdictChart(r, ranked, charts);
  const view: ReportView = {
    title: `nnaudit report: ${escapeControl(m.name)}`,
    modelName: escapeControl(m.name), // a spec's name: no control characters in the page or its PDF
    source:
      m.source === 'trained' ? 'trained from spec' : m.source === 'loaded' ? 'loaded model' : 'collected by callback',
    location: m.location === null ? null : displayPath(m.location),
    backend: r.run.backend.name,
    backendReason: publicReason(r.run.backend.reason),
    date: r.run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    duration: `${(r.run.durationMs / 1000).toFixed(1)} s`,
    verdict: r.gate.verdict,
    verdictLower: r.gate.verdict.toLowerCase(),
    preset: r.gate.preset,
    counts: `${count('fail')} failed, ${count('warn')} warnings, ${count('pass')} passed, ${count('notApplicable')} not applicable${count('error') ? `, ${count('error')} errors` : ''}`,
    findings,
    detailedFindings: findings.filter((f) => f.detailed),
    quietFindings: quiet,
    quietCount: quiet.length ? quietCountText(count('pass'), count('notApplicable')) : null,
    verdictChart: page1Chart,
    // A loaded model's page 1 shows the gradient flow: the internals section (often the same page) does not repeat it.
    gradientFlowOnPage1: page1Chart !== null && page1Chart.svg === charts.gradientFlow,
    learningCurvesOnPage1: !ranked.some(isDetailed) && charts.learningCurves.length > 0,
    trend: trendView(r),
    assertionsMet: `${met} of ${r.gate.assertions.length} gate assertions met (preset ${r.gate.preset})`,
    // A status assertion's "found" repeats the finding's line above it on page 1: only other assertions print it.
    failedAssertions: r.gate.assertions
      .filter((a) => !a.passed)
      .map((a) => ({
        id: a.id,
        level: a.level,
        expected: a.expected,
        found: /^(status|score)/.test(a.expected) ? null : a.found,
      })),
    charts,
    graphs: chain ? [] : layerGraphSvgs(r),
    network,
    chainNote: chain
      ? 'The layers form one chain, in this order (no connection graph needed); layers a failing or warning finding names are highlighted.'
      : null,
    layerTable: tableView({
      kind: 'table',
      title: 'Layers',
      highlight: chain ? m.layers.flatMap((l, i) => (flagged.has(l.name) ? [i] : [])) : [],
      columns: [
        { key: 'name', label: 'Layer' },
        { key: 'className', label: 'Type' },
        { key: 'activation', label: 'Activation' },
        { key: 'shape', label: 'Output shape' },
        { key: 'params', label: 'Params' },
      ],
      // A frozen layer (trainable: false) says so beside its parameter count.
      rows: m.layers.map((l) => ({
        name: l.name,
        className: l.className,
        activation: l.activation ?? '—',
        shape: `[${l.outputShape.map((d) => d ?? '?').join(', ')}]`,
        params: l.trainable === false ? `${num(l.params)} (frozen)` : l.params,
      })),
    }),
    dataGrid: [],
    dataRows: dataRows(r),
    environment: [
      ['nnaudit', r.tool.version],
      ['Backend', `${r.run.backend.name} (${publicReason(r.run.backend.reason)})`],
      ['TensorFlow.js', r.run.backend.tfjsVersion],
      ['Node.js', r.run.node],
      ['Platform', r.run.platform],
      ['Seed', r.run.seed === null ? '—' : String(r.run.seed)],
      ['Run id', r.run.id],
    ],
    timings: Object.entries(r.timing).map(([k, v]) => [
      k.replace(/CpuMs$/, ' (CPU time)').replace(/Ms$/, ''),
      `${(v / 1000).toFixed(2)} s`,
    ]),
    runWarnings: r.runWarnings,
    // Path-like values are shortened like the header's paths: the report gets emailed.
    spec: r.spec ? printedSpec(r.spec) : null,
    toolVersion: r.tool.version,
  };
  view.dataGrid = Array.from({ length: Math.ceil(view.dataRows.length / 2) }, (_, i) =>
    view.dataRows.slice(2 * i, 2 * i + 2),
  );
  return view;
}
