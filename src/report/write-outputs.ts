import path from 'node:path';
import type { AuditResult } from '../result/schema.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { renderHtml } from './html/render-html.js';
import { PdfRenderer } from './pdf/pdf-renderer.js';
import { writeFileCreatingDir, writeJson } from '../artifacts/io.js';

export const OUTPUT_FORMATS = ['json', 'html', 'pdf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  /** Folder for result.json, report.html, report.pdf. */
  outDir?: string;
  /** Which of result.json / report.html / report.pdf to write into outDir (default: json). */
  formats?: readonly OutputFormat[];
  junit?: string;
  markdown?: string;
  /** A warm renderer to reuse (a worker keeps one); otherwise one is launched and closed here. */
  pdfRenderer?: PdfRenderer;
}

export interface OutputPaths {
  result?: string;
  html?: string;
  pdf?: string;
  junit?: string;
  markdown?: string;
}

/**
 * Writes the requested outputs, all from the result alone. Everything that needs no browser is written
 * before the PDF is attempted, so a missing Chromium never costs the HTML or the JSON.
 */
export async function writeOutputs(r: AuditResult, opts: OutputOptions): Promise<OutputPaths> {
  const formats = new Set(opts.formats ?? ['json']);
  const written: OutputPaths = {};
  if (opts.outDir && formats.has('json')) {
    written.result = path.join(opts.outDir, 'result.json');
    await writeJson(written.result, r);
  }
  if (opts.junit) { await writeFileCreatingDir(opts.junit, junitXml(r)); written.junit = opts.junit; }
  if (opts.markdown) { await writeFileCreatingDir(opts.markdown, markdownSummary(r)); written.markdown = opts.markdown; }
  if (!opts.outDir || (!formats.has('html') && !formats.has('pdf'))) return written;
  const html = renderHtml(r);
  if (formats.has('html')) {
    written.html = path.join(opts.outDir, 'report.html');
    await writeFileCreatingDir(written.html, html);
  }
  if (formats.has('pdf')) {
    const renderer = opts.pdfRenderer ?? new PdfRenderer();
    try {
      const pdf = await renderer.render(html);
      written.pdf = path.join(opts.outDir, 'report.pdf');
      await writeFileCreatingDir(written.pdf, pdf);
    } finally {
      if (!opts.pdfRenderer) await renderer.close();
    }
  }
  return written;
}
