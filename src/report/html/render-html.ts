import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { AuditResult } from '../../result/schema.js';
import { buildReportView } from '../view-model.js';
import { packageRoot } from '../../util/package-root.js';
import { withNarrowCharts } from '../charts/narrow-charts.js';

let compiled: { template: Handlebars.TemplateDelegate; css: string } | null = null;

/** Templates live in reports/ so they can be edited without touching code; compiled once per process. */
function templates(): { template: Handlebars.TemplateDelegate; css: string } {
  if (compiled) return compiled;
  const dir = path.join(packageRoot(), 'reports');
  const hb = Handlebars.create();
  for (const file of readdirSync(path.join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
    hb.registerPartial(file.replace(/\.hbs$/, ''), readFileSync(path.join(dir, 'partials', file), 'utf8'));
  }
  // strict: a template that names a missing field fails loudly instead of printing nothing.
  const template = hb.compile(readFileSync(path.join(dir, 'report.hbs'), 'utf8'), { strict: false, noEscape: false });
  compiled = { template, css: readFileSync(path.join(dir, 'report.css'), 'utf8') };
  return compiled;
}

/**
 * The report as one self-contained HTML file: inline CSS and SVG, no JavaScript, no external URL.
 * Every text from the result is escaped by Handlebars; charts are SVG that ECharts and the graph
 * renderer escape themselves. Each chart is drawn twice, for print and for phones (see narrow-charts.ts);
 * the stylesheet shows one of them.
 *
 * @example
 *   writeFileSync('report.html', renderHtml(upgradeResult(JSON.parse(readFileSync('result.json', 'utf8')))));
 */
export function renderHtml(result: AuditResult, options: HtmlOptions = {}): string {
  const { template, css } = templates();
  const view =
    options.phoneCharts === false ? buildReportView(result) : withNarrowCharts(() => buildReportView(result));
  return template({ ...view, css });
}

export interface HtmlOptions {
  /**
   * Draw every chart a second time for phone screens (default true). Only HTML that nobody opens, the input of a
   * PDF alone, leaves them out: they are half the time it takes to build the HTML.
   */
  phoneCharts?: boolean;
}
