/**
 * Regenerates docs/report-page1.png, the picture of page 1 of a sample report shown in the README:
 * `npm run readme:picture`. Renders fixtures/results/overfitting.json in Chromium as it prints (A4 content width,
 * print media) and keeps the first page's height.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderHtml } from '../src/report/html/render-html.js';
import { upgradeResult } from '../src/result/upgrade.js';
import { findBrowser } from '../src/report/pdf/find-browser.js';
import { packageRoot } from '../src/util/package-root.js';

const root = packageRoot();
const sample = path.join(root, 'fixtures', 'results', 'overfitting.json');
const out = path.join(root, 'docs', 'report-page1.png');
const html = renderHtml(upgradeResult(JSON.parse(readFileSync(sample, 'utf8')), sample));
const { default: puppeteer } = await import('puppeteer-core');
const browser = await puppeteer.launch({
  executablePath: await findBrowser(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
});
try {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  // A4 at 96 dpi minus the print margins (12 mm each side, 14 + 16 mm top and bottom).
  const width = Math.round(((210 - 24) / 25.4) * 96);
  const height = Math.round(((297 - 30) / 25.4) * 96);
  await page.setViewport({ width, height, deviceScaleFactor: 1 });
  await page.emulateMediaType('print');
  await page.setContent(html, { waitUntil: 'load' });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, await page.screenshot({ clip: { x: 0, y: 0, width, height }, type: 'png' }));
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
