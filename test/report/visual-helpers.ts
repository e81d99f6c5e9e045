/**
 * Helpers of the visual report test: a real Chromium renders report HTML as print (A4 width), screenshots it at
 * low resolution for golden comparison, and measures the boxes of SVG text to find text drawn over text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
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
    executablePath: await findBrowser(),
    headless: true,
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

/** One SVG text as drawn: its glyph box's four corners on screen, rotated when the text is (x, y: the corner box). */
export interface TextBox {
  svg: number;
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  corners: Array<[number, number]>;
  rotated: boolean;
}
export interface Overlap {
  a: TextBox;
  b: TextBox;
}

/**
 * Every pair of non-empty SVG <text> elements in one chart whose glyph boxes intersect by more than `slack` px in
 * every direction (glyph boxes include line spacing, so touching rows are not overlaps). The boxes are the text's
 * own box (getBBox) carried through its transform (getScreenCTM), so a rotated tick label is the rotated rectangle
 * it occupies, not the much larger upright rectangle around it: compared as rotated rectangles (separating axes).
 */
export async function textOverlaps(page: Page, slack = 1.5): Promise<Overlap[]> {
  const boxes = await page.$$eval('svg', (svgs) =>
    svgs.flatMap((svg, i) =>
      [...svg.querySelectorAll('text')]
        .filter((t) => (t.textContent ?? '').trim().length > 0 && t.getAttribute('opacity') !== '0')
        .map((t) => {
          const b = t.getBBox();
          const m = t.getScreenCTM();
          const corners = (
            [
              [b.x, b.y],
              [b.x + b.width, b.y],
              [b.x + b.width, b.y + b.height],
              [b.x, b.y + b.height],
            ] as const
          ).map(([x, y]) => (m ? [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f] : [x, y]) as [number, number]);
          const r = t.getBoundingClientRect();
          return {
            svg: i,
            text: (t.textContent ?? '').trim(),
            x: r.x,
            y: r.y,
            w: r.width,
            h: r.height,
            corners,
            rotated: m !== null && Math.abs(m.b) > 1e-6,
          };
        })
        .filter((b) => b.w > 0 && b.h > 0),
    ),
  );
  const out: Overlap[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.svg === b.svg && penetration(a.corners, b.corners) > slack) out.push({ a, b });
    }
  }
  return out;
}

/**
 * How deep two convex quadrilaterals overlap: the smallest overlap of their projections over the normals of
 * their edges (separating axis theorem). 0 or less means a line separates them. For two upright boxes it is the
 * smaller of the x and y overlaps, as before rotated labels were handled.
 */
export function penetration(p: Array<[number, number]>, q: Array<[number, number]>): number {
  let depth = Infinity;
  for (const poly of [p, q]) {
    for (let k = 0; k < poly.length; k++) {
      const [x1, y1] = poly[k]!;
      const [x2, y2] = poly[(k + 1) % poly.length]!;
      const len = Math.hypot(x2 - x1, y2 - y1);
      if (len === 0) continue;
      const [nx, ny] = [(y1 - y2) / len, (x2 - x1) / len];
      const proj = (pts: Array<[number, number]>) => pts.map(([x, y]) => x * nx + y * ny);
      const pa = proj(p);
      const pb = proj(q);
      depth = Math.min(depth, Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb)));
    }
  }
  return depth;
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
    return {
      ratio: 1,
      message: `${name}: size ${got.width}x${got.height}, golden ${want.width}x${want.height} (layout changed; if on purpose: npm run test:update-goldens)`,
    };
  }
  const diff = new PNG({ width: want.width, height: want.height });
  const n = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: 0.15, includeAA: false });
  const ratio = n / (want.width * want.height);
  if (ratio > MAX_DIFF_RATIO) writeFileSync(path.join(GOLDEN_DIR, `${name}.diff.png`), PNG.sync.write(diff));
  return {
    ratio,
    message: `${name}: ${n} pixels differ (${(ratio * 100).toFixed(2)}%, allowed ${(MAX_DIFF_RATIO * 100).toFixed(1)}%); diff in ${GOLDEN_DIR}/${name}.diff.png`,
  };
}

/** Page furniture: the page-number line in the bottom margin and the report's closing "Generated by" line. */
const FURNITURE = [/nnaudit · page \d+ of \d+/g, /Generated by nnaudit \S+ from result\.json alone\./g];

/**
 * The 1-based numbers of the PDF's pages that hold nothing but page furniture (a page number, the closing line):
 * a page break or a trailing margin pushed them out on their own.
 */
export async function emptyPages(pdf: Uint8Array): Promise<number[]> {
  const parser = new PDFParse({ data: pdf });
  try {
    const { pages } = await parser.getText();
    return pages.filter((p) => FURNITURE.reduce((t, re) => t.replace(re, ''), p.text).trim() === '').map((p) => p.num);
  } finally {
    await parser.destroy();
  }
}
