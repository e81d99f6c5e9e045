import type { AuditResult, Finding } from '../result/schema.js';
import type { OverviewCharts } from './charts/overview-charts.js';
import type { TrendView } from './trend-view.js';

/** What the report template shows: built by view-model.ts from the result document alone. */

export interface TableView {
  title: string;
  columns: string[];
  rows: Array<{ cells: string[]; highlight: boolean }>;
  more: number;
}
export interface EvidenceView {
  title: string;
  table: TableView | null;
  svg: string | null;
  wide: boolean;
}
export interface FindingView {
  id: string;
  anchor: string;
  title: string;
  status: Finding['status'];
  statusLabel: string;
  displayValue: string;
  description: string;
  recommendation: string | null;
  verifiedFix: string | null;
  errorMessage: string | null;
  /** One compact line: each threshold's value and where it comes from in a word (the full notes stay in result.json). */
  thresholdLine: string | null;
  /** "follows from vanishing-gradients" when a cause that holds explains this finding; null for a root cause. */
  followsFrom: string | null;
  /** The first thing to change, one sentence, for page 1. */
  firstChange: string | null;
  affectedLayers: string;
  evidence: EvidenceView[];
  /** One line for the page-1 summary: an n/a row says why it does not apply instead of the pass headline. */
  headline: string;
  /** Page 1's shorter line: the title and the first measured clause (the box has the rest). */
  shortHeadline: string;
  /** The end list's line for a pass or n/a: what was measured (first clause) or why it does not apply; result.json has the rest. */
  quietLine: string;
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
  failedAssertions: Array<{ id: string; level: string; expected: string; found: string | null }>;
  charts: OverviewCharts;
  /** The one chart on page 1: the worst finding's evidence, or the loss curve when everything passed. */
  /** Page 1's picture of the root cause: its chart, or its table when it has no chart. */
  verdictChart: { caption: string; svg: string | null; table: TableView | null } | null;
  /** Nothing to fix: page 1 carries the learning curves ("training at a glance") and the internals section does not repeat them. */
  learningCurvesOnPage1: boolean;
  /** Page 1's chart is the gradient flow (a loaded model without history): the internals section leaves it out. */
  gradientFlowOnPage1: boolean;
  detailedFindings: FindingView[];
  /** Passes and n/a rows, listed compactly at the end; page 1 only counts them. */
  quietFindings: FindingView[];
  quietCount: string | null;
  assertionsMet: string;
  /** The comparison with the baseline run, when the result has one. */
  trend: TrendView | null;
  graphs: string[];
  /** Small dense networks are drawn neuron by neuron instead of the layer graph. */
  network: { svg: string; caption: string } | null;
  /** Set when the layers form one listed chain: the table stands in for the connection graph. */
  chainNote: string | null;
  layerTable: TableView;
  dataRows: Array<[string, string]>;
  /** dataRows two pairs a row, as the appendix prints them. */
  dataGrid: Array<Array<[string, string]>>;
  environment: Array<[string, string]>;
  timings: Array<[string, string]>;
  runWarnings: string[];
  /** The spec as printed in the appendix (printed-spec.ts). */
  spec: { text: string; columns: 1 | 2 | 3; note: string | null } | null;
  toolVersion: string;
}
