/**
 * Report rendering times: HTML per report, PDF per report with a warm browser, and cold `nnaudit render` in fresh
 * processes (HTML alone, HTML and PDF): what a user waits for when rendering a stored result.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../src/report/html/render-html.js';
import { PdfRenderer } from '../src/report/pdf/pdf-renderer.js';
import { upgradeResult } from '../src/result/upgrade.js';
import { fixturesDir } from '../src/cli/fixtures.js';
import { packageRoot } from '../src/util/package-root.js';

export interface ReportBench {
  reports: number;
  htmlMedianMs: number;
  pdfWarmMedianMs: number;
  pdfWarmMaxMs: number;
  /** Medians over COLD_RUNS fresh `nnaudit render` processes (process start to exit, one report). */
  coldRenderHtmlMs: number;
  coldRenderPdfMs: number;
  floorMedianMs: number;
  backToBackMedianMs: number;
  /** Printed A4 pages per sample result (issue 22's targets: healthy PASS <= 3, vanishing-gradients FAIL <= 8). */
  pages: Record<string, number>;
}

/** Page objects in a PDF (`/Type /Page`, not the `/Pages` tree nodes). */
export function pdfPageCount(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0
  );
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

export async function benchReports(rounds = 3): Promise<ReportBench> {
  const dir = path.join(fixturesDir(), 'results');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const results = files.map((f) => upgradeResult(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))));
  const pages: Record<string, number> = {};
  const htmlTimes: number[] = [];
  const pdfTimes: number[] = [];
  const floorTimes: number[] = [];
  const backToBack: number[] = [];
  const renderer = new PdfRenderer();
  try {
    await renderer.render(renderHtml(results[0]!)); // launch once: "warm"
    for (let round = 0; round < rounds; round++) {
      // The floor: a one-line page through the same warm renderer, measured in the same run, so a loaded machine
      // shows as a high floor rather than as a slow report (compare the ratio, not only the milliseconds).
      renderHtml(results[round % results.length]!); // the same gap before the floor as before each report
      const t0 = performance.now();
      await renderer.render('<!DOCTYPE html><html><body><p>floor</p></body></html>');
      floorTimes.push(performance.now() - t0);
      for (const [i, r] of results.entries()) {
        let t = performance.now();
        const html = renderHtml(r);
        htmlTimes.push(performance.now() - t);
        t = performance.now();
        const pdf = await renderer.render(html);
        pdfTimes.push(performance.now() - t);
        pages[files[i]!.replace(/\.json$/, '')] = pdfPageCount(pdf);
        // The same report again at once: the renderer loads its fresh blank document after each PDF, off the next
        // render's path when anything happens in between (building the HTML); back to back, it is on the path.
        t = performance.now();
        await renderer.render(html);
        backToBack.push(performance.now() - t);
      }
    }
  } finally {
    await renderer.close();
  }
  const cold = coldRenders(Number(process.env['COLD_RUNS'] ?? 5));
  return {
    reports: results.length,
    htmlMedianMs: median(htmlTimes),
    pdfWarmMedianMs: median(pdfTimes),
    pdfWarmMaxMs: Math.max(...pdfTimes),
    coldRenderHtmlMs: cold.htmlMs,
    coldRenderPdfMs: cold.pdfMs,
    floorMedianMs: median(floorTimes),
    backToBackMedianMs: median(backToBack),
    pages,
  };
}

/**
 * Fresh `nnaudit render` processes on the overfitting sample, HTML alone and HTML + PDF, alternated so that a
 * change in the machine's load falls on both: the medians of `runs` each. No timed assertion anywhere (a loaded
 * machine doubles them); read them with the load average printed beside them.
 */
export function coldRenders(runs: number): { htmlMs: number; pdfMs: number } {
  const result = path.join(fixturesDir(), 'results', 'overfitting.json');
  const html: number[] = [];
  const pdf: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [times, extra] of [
      [html, []],
      [pdf, ['--pdf']],
    ] as const) {
      const out = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-bench-'));
      const t = performance.now();
      execFileSync(process.execPath, [
        path.join(packageRoot(), 'bin', 'nnaudit.js'),
        'render',
        result,
        ...extra,
        '--out',
        out,
        '-q',
      ]);
      times.push(performance.now() - t);
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { htmlMs: median(html), pdfMs: median(pdf) };
}

/** "PDF pages: healthy 3 (goal <= 3), ..., vanishing-gradients 8 (goal <= 8)". */
export function pagesLine(pages: Record<string, number>): string {
  const goal: Record<string, number> = { healthy: 3, 'vanishing-gradients': 8 };
  return `PDF pages: ${Object.entries(pages)
    .map(([n, p]) => `${n} ${p}${goal[n] ? ` (goal <= ${goal[n]})` : ''}`)
    .join(', ')}`;
}

// `npm run bench:report`: this benchmark alone (the full `npm run bench` also trains models).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = Number(process.env['ROUNDS'] ?? 5);
  const b = await benchReports(rounds);
  process.stdout.write(
    `${b.reports} sample results x ${rounds} rounds\nHTML per report: median ${b.htmlMedianMs.toFixed(0)} ms\n` +
      `PDF per report, warm browser: median ${b.pdfWarmMedianMs.toFixed(0)} ms, max ${b.pdfWarmMaxMs.toFixed(0)} ms\n` +
      `Same report again, back to back: median ${b.backToBackMedianMs.toFixed(0)} ms\n` +
      `Floor (one-line page, same renderer): median ${b.floorMedianMs.toFixed(0)} ms; report / floor = ${(b.pdfWarmMedianMs / b.floorMedianMs).toFixed(1)}\n` +
      `Load average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${os.cpus().length} cores\n` +
      `Cold nnaudit render, fresh process, median of ${process.env['COLD_RUNS'] ?? 5}: HTML ${b.coldRenderHtmlMs.toFixed(0)} ms, ` +
      `HTML + PDF ${b.coldRenderPdfMs.toFixed(0)} ms (goals: 1000 and 2500 ms on an idle machine)\n` +
      `${pagesLine(b.pages)}\n`,
  );
}
