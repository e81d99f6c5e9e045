import type { AuditResult, Finding } from '../result/schema.js';
import { escapeControl } from '../util/terminal-text.js';
import type { Evidence } from '../result/evidence.js';
import { evidenceChart } from './charts/evidence-chart.js';
import { learningCurves, overviewCharts, type OverviewCharts } from './charts/overview-charts.js';
import { displayPath, publicReason, publicSpec } from './public-text.js';
import { trendView, type TrendView } from './trend-view.js';
import { layerGraphSvgs } from './graph/layer-graph.js';
import { networkDrawing } from './graph/network-drawing.js';
import { compactJson } from './compact-json.js';
import { STATUS_LABEL } from '../result/vocabulary.js';

/** Why the loss was taken on logits, in the report's words. */
const LOGITS_SOURCE: Record<string, string> = { stated: 'as stated', saved: 'the saved loss', detected: 'detected: no softmax/sigmoid at the end', default: 'default' };

export { STATUS_LABEL };

export interface TableView { title: string; columns: string[]; rows: Array<{ cells: string[]; highlight: boolean }>; more: number }
export interface EvidenceView { title: string; table: TableView | null; svg: string | null; wide: boolean }
export interface FindingView {
  id: string; anchor: string; title: string; status: Finding['status']; statusLabel: string; displayValue: string; description: string;
  recommendation: string | null; verifiedFix: string | null; errorMessage: string | null; thresholds: Array<{ name: string; value: string; source: string }>;
  affectedLayers: string; evidence: EvidenceView[];
  /** One line for the page-1 summary: an n/a row says why it does not apply instead of the pass headline. */
  headline: string;
  /** Only findings that are not a pass (or n/a) get a details box. */
  detailed: boolean;
}

export interface ReportView {
  title: string;
  modelName: string;
  source: string;
  location: string | null;
  backend: string;
  backendReason: string;
  date: string;
  duration: string;
  verdict: AuditResult['gate']['verdict'];
  verdictLower: string;
  preset: string;
  counts: string;
  findings: FindingView[];
  failedAssertions: Array<{ id: string; level: string; expected: string; found: string }>;
  charts: OverviewCharts;
  /** The one chart on page 1: the worst finding's evidence, or the loss curve when everything passed. */
  verdictChart: { caption: string; svg: string } | null;
  detailedFindings: FindingView[];
  assertionsMet: string;
  /** The comparison with the baseline run, when the result has one. */
  trend: TrendView | null;
  graphs: string[];
  /** Small dense networks are drawn neuron by neuron instead of the layer graph. */
  network: { svg: string; caption: string } | null;
  layerTable: TableView;
  dataRows: Array<[string, string]>;
  environment: Array<[string, string]>;
  timings: Array<[string, string]>;
  runWarnings: string[];
  specJson: string | null;
  toolVersion: string;
}

/** Characters per spec line: what fits the printed page at the appendix's monospace size, so no line wraps. */
export const SPEC_WIDTH = 112;

/** Rows per evidence table in the report; the rest are counted, not dropped silently. */
export const MAX_TABLE_ROWS = 40;

export function num(v: number | null | undefined, unit?: string): string {
  if (v === null || v === undefined) return '—';
  if (unit === '%') return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return v.toLocaleString('en-US');
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

function tableView(e: Extract<Evidence, { kind: 'table' }>): TableView {
  const highlight = new Set(e.highlight ?? []);
  return {
    title: e.title,
    columns: e.columns.map((c) => c.label),
    rows: e.rows.slice(0, MAX_TABLE_ROWS).map((row, i) => ({
      cells: e.columns.map((c) => { const v = row[c.key]; return typeof v === 'number' || v === null || v === undefined ? num(v, c.unit) : String(v); }),
      highlight: highlight.has(i),
    })),
    more: Math.max(0, e.rows.length - MAX_TABLE_ROWS),
  };
}

const isDetailed = (f: Finding) => f.status === 'fail' || f.status === 'warn' || f.status === 'error';

function findingView(f: Finding): FindingView {
  // Passing findings are one summary line; details and charts only where something is wrong, to keep reports short.
  const detailed = isDetailed(f);
  return {
    headline: f.status === 'notApplicable' ? `not applicable: ${f.displayValue}` : `${f.title}: ${f.displayValue}`,
    detailed,
    id: f.id, anchor: `finding-${f.id}`, title: f.title, status: f.status, statusLabel: STATUS_LABEL[f.status], displayValue: f.displayValue,
    description: f.description, recommendation: f.recommendation, verifiedFix: f.verifiedFix?.text ?? null, errorMessage: f.errorMessage,
    thresholds: Object.entries(f.thresholds).map(([name, t]) => ({ name, value: num(t.value), source: t.source })),
    affectedLayers: f.affectedLayers.join(', '),
    evidence: f.evidence.flatMap((e): EvidenceView[] => {
      if (e.kind === 'table') return [{ title: e.title, table: tableView(e), svg: null, wide: true }];
      // Heatmaps and bar charts of many layers need the full width to keep their labels apart.
      const wide = e.kind === 'heatmap' || (e.kind === 'bars' && e.labels.length > 4);
      return detailed ? [{ title: e.title, table: null, svg: evidenceChart(e, wide ? 680 : 340), wide }] : [];
    }),
  };
}

/**
 * The worst finding's first chart; for a clean run, the loss curve (the chart a reader checks first). When the worst
 * finding's evidence is only a table (dropout-rate), the chart is the next finding's, and the caption says so.
 */
function verdictChart(r: AuditResult, charts: OverviewCharts): ReportView['verdictChart'] {
  const detailed = r.findings.filter(isDetailed);
  for (const f of detailed) {
    for (const e of f.evidence) {
      if (e.kind === 'table') continue;
      const svg = evidenceChart(e);
      if (svg) return { caption: f === detailed[0] ? `Worst finding: ${f.id}` : `Worst finding with a chart: ${f.id} (${detailed[0]!.id} has a table)`, svg };
    }
  }
  const loss = learningCurves(r, 680)[0];
  if (loss) return { caption: 'Training at a glance', svg: loss };
  return charts.gradientFlow ? { caption: 'Gradient flow', svg: charts.gradientFlow } : null;
}

/** Class names printed in the data appendix; the rest are counted (an ImageNet-sized list would fill a page). */
export const MAX_CLASS_NAMES = 30;

/**
 * The class order (id 0, 1, ...) and how it was chosen: image folders are sorted by name unless the spec lists
 * them, so a reader comparing with another tool's label ids needs to see it.
 */
function classRows(classes: AuditResult['data']['classes']): Array<[string, string]> {
  if (!classes || classes.names.length === 0) return [];
  const shown = classes.names.slice(0, MAX_CLASS_NAMES).map((n, i) => `${n}=${i}`).join(', ');
  const more = classes.names.length - MAX_CLASS_NAMES;
  return [['Classes (name=id)', `${shown}${more > 0 ? `, and ${more} more` : ''}`], ['Class order', classes.order]];
}

/** Everything the template shows, computed from the result document alone. */
export function buildReportView(r: AuditResult): ReportView {
  const count = (s: Finding['status']) => r.findings.filter((f) => f.status === s).length;
  const m = r.model;
  const charts = overviewCharts(r);
  const findings = r.findings.map(findingView);
  const met = r.gate.assertions.filter((a) => a.passed).length;
  return {
    title: `nnaudit report: ${escapeControl(m.name)}`,
    modelName: escapeControl(m.name), // a spec's name: no control characters in the page or its PDF
    source: m.source === 'trained' ? 'trained from spec' : m.source === 'loaded' ? 'loaded model' : 'collected by callback',
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
    verdictChart: verdictChart(r, charts),
    trend: trendView(r),
    assertionsMet: `${met} of ${r.gate.assertions.length} gate assertions met (preset ${r.gate.preset})`,
    failedAssertions: r.gate.assertions.filter((a) => !a.passed).map((a) => ({ id: a.id, level: a.level, expected: a.expected, found: a.found })),
    charts,
    graphs: layerGraphSvgs(r),
    network: networkDrawing(r),
    layerTable: tableView({
      kind: 'table', title: 'Layers', highlight: [],
      columns: [{ key: 'name', label: 'Layer' }, { key: 'className', label: 'Type' }, { key: 'activation', label: 'Activation' }, { key: 'shape', label: 'Output shape' }, { key: 'params', label: 'Params' }],
      // A frozen layer (trainable: false) says so beside its parameter count.
      rows: m.layers.map((l) => ({ name: l.name, className: l.className, activation: l.activation ?? '—', shape: `[${l.outputShape.map((d) => d ?? '?').join(', ')}]`,
        params: l.trainable === false ? `${num(l.params)} (frozen)` : l.params })),
    }),
    dataRows: [
      ['Source', displayPath(r.data.source)], ['Task', `${r.data.task}${r.data.numClasses ? ` (${r.data.numClasses} classes)` : ''}`],
      ...classRows(r.data.classes),
      ['Rows (train / validation / probe)', `${r.data.trainSize} / ${r.data.validationSize} / ${r.data.probeSize}`],
      ['Normalization', r.data.normalize], ['Raw feature range', `${num(r.data.featureRange.min)} to ${num(r.data.featureRange.max)}`],
      ['Chance accuracy', num(r.data.chanceAccuracy)], ['Constant-predictor loss', num(r.data.trivialLoss)],
      ['Parameters (trainable)', `${num(m.params)} (${num(m.trainableParams)})`], ['Loss', m.loss ? `${m.loss}${m.fromLogits ? ` from logits (${LOGITS_SOURCE[m.fromLogitsSource ?? 'stated']})` : ''}` : '—'],
      ...(m.inputLayout === 'channelsFirst' ? [['Input layout', 'channels first (N, C, H, W), as PyTorch'] as [string, string]] : []),
      ['Optimizer', m.optimizer ? `${m.optimizer.name}, learning rate ${m.optimizer.learningRate}` : '—'],
    ],
    environment: [
      ['nnaudit', r.tool.version], ['Backend', `${r.run.backend.name} (${publicReason(r.run.backend.reason)})`], ['TensorFlow.js', r.run.backend.tfjsVersion],
      ['Node.js', r.run.node], ['Platform', r.run.platform], ['Seed', r.run.seed === null ? '—' : String(r.run.seed)], ['Run id', r.run.id],
    ],
    timings: Object.entries(r.timing).map(([k, v]) => [k.replace(/Ms$/, ''), `${(v / 1000).toFixed(2)} s`]),
    runWarnings: r.runWarnings,
    // Path-like values are shortened like the header's paths: the report gets emailed.
    specJson: r.spec ? compactJson(publicSpec(r.spec), SPEC_WIDTH) : null,
    toolVersion: r.tool.version,
  };
}
