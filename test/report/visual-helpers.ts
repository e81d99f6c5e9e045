/**
 * Helpers of the visual report test: a real Chromium renders report HTML as print (A4 width), screenshots it at
 * low resolution for golden comparison, and measures the boxes of SVG text to find text drawn over text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'puppeteer-core';
import { findBrowser } from '../../src/report/pdf/find-browser.js';

/** A4 content width at 96 dpi (210 mm minus the 12 mm print margins) and a low scale: goldens stay small. */
export const PAGE_WIDTH_PX = 703;
export const SCALE = 0.4;
/** Two A4 pages at 96 dpi. */
export const GOLDEN_HEIGHT_PX = 2 * 1123;
/** Share of pixels allowed to differ beyond pixelmatch's colour threshold (anti-aliasing is ignored on top). */
export const MAX_DIFF_RATIO = 0.003;

export const GOLDEN_DIR = path.join(import.meta.dirname, 'goldens');
export const UPDATE = process.env['NNAUDIT_UPDATE_GOLDENS'] === '1';

export async function launch(): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    executablePath: await findBrowser(), headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none', '--no-first-run'],
  });
}

/** Opens report HTML as it prints: print media, A4 content width, JavaScript off (the report has none). */
export async function openReport(browser: Browser, html: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width: PAGE_WIDTH_PX, height: 1000, deviceScaleFactor: SCALE });
  await page.emulateMediaType('print');
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

export interface TextBox { svg: number; text: string; x: number; y: number; w: number; h: number }
export interface Overlap { a: TextBox; b: TextBox }

/**
 * Every pair of non-empty SVG <text> elements in one chart whose boxes intersect by more than `slack` px each
 * way (glyph boxes include line spacing, so touching rows are not overlaps). Measured by the browser's layout.
 */
export async function textOverlaps(page: Page, slack = 1.5): Promise<Overlap[]> {
  const boxes = await page.$$eval('svg', (svgs) => svgs.flatMap((svg, i) => [...svg.querySelectorAll('text')]
    .filter((t) => (t.textContent ?? '').trim().length > 0 && t.getAttribute('opacity') !== '0')
    .map((t) => { const r = t.getBoundingClientRect(); return { svg: i, text: (t.textContent ?? '').trim(), x: r.x, y: r.y, w: r.width, h: r.height }; })
    .filter((b) => b.w > 0 && b.h > 0)));
  const out: Overlap[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.svg !== b.svg) continue;
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > slack && oy > slack) out.push({ a, b });
    }
  }
  return out;
}

export const describeOverlap = (o: Overlap): string => `"${o.a.text}" over "${o.b.text}" (chart ${o.a.svg})`;

/** Compares a screenshot with its golden; writes the golden when updating, and a diff image beside a failure. */
export function compareGolden(name: string, png: Uint8Array): { ratio: number; message: string } {
  const file = path.join(GOLDEN_DIR, `${name}.png`);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) return { ratio: 1, message: `${file} missing: run npm run test:update-goldens and commit it` };
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, png);
    return { ratio: 0, message: 'updated' };
  }
  const want = PNG.sync.read(readFileSync(file));
  const got = PNG.sync.read(Buffer.from(png));
  if (want.width !== got.width || want.height !== got.height) {
    return { ratio: 1, message: `${name}: size ${got.width}x${got.height}, golden ${want.width}x${want.height} (layout changed; if on purpose: npm run test:update-goldens)` };
  }
  const diff = new PNG({ width: want.width, height: want.height });
  const n = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: 0.15, includeAA: false });
  const ratio = n / (want.width * want.height);
  if (ratio > MAX_DIFF_RATIO) writeFileSync(path.join(GOLDEN_DIR, `${name}.diff.png`), PNG.sync.write(diff));
  return { ratio, message: `${name}: ${n} pixels differ (${(ratio * 100).toFixed(2)}%, allowed ${(MAX_DIFF_RATIO * 100).toFixed(1)}%); diff in ${GOLDEN_DIR}/${name}.diff.png` };
}
