/**
 * `nnaudit/report`: everything that reads a result.json, without TensorFlow.js: the HTML and PDF reports,
 * the terminal summary, JUnit, Markdown, GitHub annotations, the GitLab Code Quality report, and the
 * upgrade of results written by older versions.
 *
 * @example
 *   import { upgradeResult, renderHtml, junitXml } from 'nnaudit/report';
 *   const result = upgradeResult(JSON.parse(readFileSync('out/result.json', 'utf8')));
 *   writeFileSync('report.html', renderHtml(result));
 */
export { upgradeResult } from '../result/upgrade.js';
export { renderHtml, type HtmlOptions } from '../report/html/render-html.js';
export { PdfRenderer } from '../report/pdf/pdf-renderer.js';
export {
  writeOutputs,
  OUTPUT_FORMATS,
  type OutputFormat,
  type OutputOptions,
  type OutputPaths,
} from '../report/write-outputs.js';
export { summaryText } from '../report/summary-text.js';
export { junitXml } from '../report/junit.js';
export { markdownSummary } from '../report/markdown.js';
export { githubAnnotations, type AnnotationOptions } from '../report/github.js';
export { gitlabCodeQuality, type CodeQualityIssue, type CodeQualityOptions } from '../report/gitlab.js';
export {
  STATUSES,
  STATUS_ORDER,
  STATUS_LABEL,
  PRESET_NAMES,
  AGGREGATES,
  type Status,
  type Verdict,
} from '../result/vocabulary.js';
export type { AuditResult, Finding, GateResult } from '../result/schema.js';
