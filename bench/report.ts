/** Report rendering times: HTML per report, PDF per report with a warm browser, and a cold `nnaudit render --pdf`. */
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
  coldRenderPdfMs: number;
  floorMedianMs: number;
  backToBackMedianMs: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

export async function benchReports(rounds = 3): Promise<ReportBench> {
  const dir = path.join(fixturesDir(), 'results');
  const results = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => upgradeResult(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))));
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
      for (const r of results) {
        let t = performance.now();
        const html = renderHtml(r);
        htmlTimes.push(performance.now() - t);
        t = performance.now();
        await renderer.render(html);
        pdfTimes.push(performance.now() - t);
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
  const out = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-bench-'));
  const t = performance.now();
  execFileSync(process.execPath, [
    path.join(packageRoot(), 'bin', 'nnaudit.js'),
    'render',
    path.join(dir, 'overfitting.json'),
    '--pdf',
    '--out',
    out,
    '-q',
  ]);
  const cold = performance.now() - t;
  rmSync(out, { recursive: true, force: true });
  return {
    reports: results.length,
    htmlMedianMs: median(htmlTimes),
    pdfWarmMedianMs: median(pdfTimes),
    pdfWarmMaxMs: Math.max(...pdfTimes),
    coldRenderPdfMs: cold,
    floorMedianMs: median(floorTimes),
    backToBackMedianMs: median(backToBack),
  };
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
      `Cold nnaudit render --pdf: ${b.coldRenderPdfMs.toFixed(0)} ms\n`,
  );
}
