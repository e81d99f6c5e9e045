import path from 'node:path';
import type { AuditResult } from '../result/schema.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { githubAnnotations } from './github.js';
import { gitlabCodeQuality } from './gitlab.js';
import { renderHtml } from './html/render-html.js';
import { PdfRenderer } from './pdf/pdf-renderer.js';
import { writeFileCreatingDir, writeJson } from '../artifacts/io.js';

/**
 * json: result.json, html: report.html, pdf: report.pdf, junit: junit.xml, markdown: summary.md,
 * gitlab: gl-code-quality-report.json (GitLab Code Quality), all in outDir; github: GitHub Actions
 * annotations printed (workflow commands only work on stdout).
 */
export const OUTPUT_FORMATS = ['json', 'html', 'pdf', 'junit', 'markdown', 'gitlab', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** Formats that write no file, so need no outDir. */
export const PRINTED_FORMATS: readonly OutputFormat[] = ['github'];

export interface OutputOptions {
  /** Folder for result.json, report.html, report.pdf. */
  outDir?: string;
  /** Which of result.json / report.html / report.pdf to write into outDir (default: json). */
  formats?: readonly OutputFormat[];
  junit?: string;
  markdown?: string;
  /** A warm renderer to reuse (a worker keeps one); otherwise one is launched and closed here. */
  pdfRenderer?: PdfRenderer;
  /** The repository file CI annotations point at (github, gitlab), e.g. the spec. */
  sourceFile?: string;
  /** Where the github format prints (default stdout). */
  print?: (text: string) => void;
}

export interface OutputPaths {
  result?: string;
  html?: string;
  pdf?: string;
  junit?: string;
  markdown?: string;
  gitlab?: string;
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
  if (opts.junit) {
    await writeFileCreatingDir(opts.junit, junitXml(r));
    written.junit = opts.junit;
  }
  if (opts.markdown) {
    await writeFileCreatingDir(opts.markdown, markdownSummary(r));
    written.markdown = opts.markdown;
  }
  const ci = opts.sourceFile ? { file: opts.sourceFile, path: opts.sourceFile } : {};
  if (opts.outDir && formats.has('junit')) {
    written.junit = path.join(opts.outDir, 'junit.xml');
    await writeFileCreatingDir(written.junit, junitXml(r));
  }
  if (opts.outDir && formats.has('markdown')) {
    written.markdown = path.join(opts.outDir, 'summary.md');
    await writeFileCreatingDir(written.markdown, markdownSummary(r));
  }
  if (opts.outDir && formats.has('gitlab')) {
    written.gitlab = path.join(opts.outDir, 'gl-code-quality-report.json');
    await writeFileCreatingDir(written.gitlab, `${JSON.stringify(gitlabCodeQuality(r, ci), null, 1)}\n`);
  }
  if (formats.has('github')) (opts.print ?? ((t: string) => process.stdout.write(t)))(githubAnnotations(r, ci));
  if (!opts.outDir || (!formats.has('html') && !formats.has('pdf'))) return written;
  // Chromium boots in its own process while this one builds the HTML (half a second saved on a cold render).
  const renderer = formats.has('pdf') ? (opts.pdfRenderer ?? new PdfRenderer()) : null;
  renderer?.warmUp();
  try {
    const html = renderHtml(r, { phoneCharts: formats.has('html') });
    if (formats.has('html')) {
      written.html = path.join(opts.outDir, 'report.html');
      await writeFileCreatingDir(written.html, html);
    }
    if (renderer) {
      const pdf = await renderer.render(html);
      written.pdf = path.join(opts.outDir, 'report.pdf');
      await writeFileCreatingDir(written.pdf, pdf);
    }
  } finally {
    if (renderer && !opts.pdfRenderer) await renderer.close();
  }
  return written;
}
