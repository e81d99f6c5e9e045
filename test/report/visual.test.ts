import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { renderHtml } from '../../src/report/html/render-html.js';
import { renderSvg, titleBlock } from '../../src/report/charts/echarts-svg.js';
import { deepModelResult, sampleResult, sampleResults } from '../helpers/results.js';
import { describeWith } from '../helpers/requirements.js';
import { PdfRenderer } from '../../src/report/pdf/pdf-renderer.js';
import {
  compareGolden,
  describeOverlap,
  emptyPages,
  penetration,
  GOLDEN_HEIGHT_PX,
  MAX_DIFF_RATIO,
  PAGE_WIDTH_PX,
  openReport,
  launch,
  textOverlaps,
} from './visual-helpers.js';

/**
 * The report as pictures, in real Chromium: golden images of four sample reports (a PASS, two FAILs, a loaded model) (NNAUDIT_UPDATE_GOLDENS=1, or
 * `npm run test:update-goldens`, rewrites them on purpose), and text that never overlaps text in any chart of
 * any sample report: the defect pixels can hide (a title on a tick label is a few pixels).
 */
let browser: Browser;
let pdfRenderer: PdfRenderer;

describeWith(['chromium'], 'report pictures', () => {
  beforeAll(async () => {
    browser = await launch();
    pdfRenderer = new PdfRenderer();
  });
  afterAll(async () => {
    await browser?.close();
    await pdfRenderer?.close();
  });

  it.each(['healthy', 'overfitting', 'dead-relu', 'wine-loaded'])('%s matches its golden image', async (name) => {
    const page = await openReport(browser, renderHtml(sampleResult(name)));
    try {
      // The first two printed pages' worth (verdict, details, the first charts): enough to catch a drawing change, small to commit.
      const height = Math.min(
        GOLDEN_HEIGHT_PX,
        (await page.evaluate('document.documentElement.scrollHeight')) as number,
      );
      const png = await page.screenshot({ clip: { x: 0, y: 0, width: PAGE_WIDTH_PX, height }, type: 'png' });
      const { ratio, message } = compareGolden(name, png);
      expect(ratio, message).toBeLessThanOrEqual(MAX_DIFF_RATIO);
    } finally {
      await page.close();
    }
  });

  it.each(sampleResults().map(([n]) => n))('%s: no chart text overlaps other text', async (name) => {
    const page = await openReport(browser, renderHtml(sampleResult(name)));
    try {
      const overlaps = await textOverlaps(page);
      expect(overlaps.map(describeOverlap)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a deep model (34 layers): no layer name on a bar chart or the gradient flow overlaps another', async () => {
    const page = await openReport(browser, renderHtml(deepModelResult(34)));
    try {
      const overlaps = await textOverlaps(page);
      expect(overlaps.map(describeOverlap)).toEqual([]);
      // The check saw the deep charts: thinned, but some of their labels are drawn.
      const labels = await page.$$eval('svg text', (ts) => ts.map((t) => t.textContent ?? ''));
      expect(labels.filter((t) => /^block\d+_dense_relu$/.test(t)).length).toBeGreaterThan(10);
    } finally {
      await page.close();
    }
  });

  it('a status badge stays on one line beside a long unbreakable headline, and the token does not widen the page', async () => {
    const r = sampleResult('overfitting');
    // A long token (a path, a layer name list) squeezes the badge column: cells may break text anywhere, badges may not.
    r.findings = r.findings.map((f, i) =>
      i < 3 ? { ...f, status: 'warn' as const, displayValue: `${'block_conv2d_batchnorm_relu_'.repeat(12)}end` } : f,
    );
    const page = await openReport(browser, renderHtml(r));
    try {
      const badges = await page.$$eval('.badge', (els) =>
        els.map((e) => ({ text: e.textContent ?? '', h: e.getBoundingClientRect().height })),
      );
      expect(badges.filter((b) => b.text === 'WARN').length).toBeGreaterThan(0);
      // Every badge has the same style: one taller than the shortest by half a line has wrapped.
      const line = Math.min(...badges.map((b) => b.h));
      expect(
        badges
          .filter((b) => b.h > 1.5 * line)
          .map((b) => `${b.text}: ${b.h.toFixed(1)} px tall, one line is ${line.toFixed(1)}`),
      ).toEqual([]);
      // The long token breaks inside its box instead of widening the page (Chromium would shrink the whole PDF).
      expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(
        PAGE_WIDTH_PX,
      );
    } finally {
      await page.close();
    }
  });

  it.each(sampleResults().map(([n]) => n))(
    '%s: no PDF page holds only the page number or the closing line',
    async (name) => {
      const pdf = await pdfRenderer.render(renderHtml(sampleResult(name)));
      expect(await emptyPages(pdf)).toEqual([]);
    },
  );

  it('the empty-page check finds a page pushed out by a trailing element', async () => {
    // A body that fills the first page to the last line, then the closing line alone on page 2 (the dead-relu defect).
    const lines = Array.from({ length: 400 }, (_, i) => `<p style="margin:0">line ${i}</p>`).join('');
    const html =
      `<!DOCTYPE html><html><head><style>@page { @bottom-center { content: "nnaudit · page " counter(page) " of " counter(pages); } }</style></head>` +
      `<body><div style="height:240mm;overflow:hidden">${lines}</div><footer style="break-before:page">Generated by nnaudit 0.1.0 from result.json alone.</footer></body></html>`;
    expect(await emptyPages(await pdfRenderer.render(html))).toEqual([2]);
  });

  describe('rotated tick labels', () => {
    // The gradient-flow chart's shape: many layers, labels rotated 35 degrees, a legend under them.
    const layers = Array.from({ length: 14 }, (_, i) => `conv2d_block_${i}_relu`);
    const option = (bottom: number, width = 680) => ({
      legend: { bottom: 0, left: 'center' as const },
      grid: { left: 64, right: 20, top: 30, bottom },
      xAxis: { type: 'category' as const, data: layers, axisLabel: { rotate: 35, interval: 0, fontSize: 10 } },
      yAxis: { type: 'value' as const },
      series: [{ type: 'line' as const, name: 'epoch 0', data: layers.map((_, i) => i + 1) }],
    });
    const overlapsOf = async (html: string) => {
      const page = await openReport(browser, `<!DOCTYPE html><body>${html}</body>`);
      try {
        return await textOverlaps(page);
      } finally {
        await page.close();
      }
    };

    it('a rotated label run into the legend is caught (the grid bottom of an unrotated axis)', async () => {
      const found = await overlapsOf(renderSvg(option(56), 680, 320));
      expect(
        found.some((o) => (o.a.rotated || o.b.rotated) && [o.a.text, o.b.text].includes('epoch 0')),
        found.map(describeOverlap).join('; '),
      ).toBe(true);
      expect(await overlapsOf(renderSvg(option(110), 680, 320))).toEqual([]); // the layout the report uses
    });

    it('rotated labels crowded onto each other are caught', async () => {
      const found = await overlapsOf(renderSvg(option(110, 260), 260, 320));
      expect(
        found.some((o) => o.a.rotated && o.b.rotated && layers.includes(o.a.text) && layers.includes(o.b.text)),
      ).toBe(true);
    });

    it('neighbouring rotated labels are compared as rotated boxes: their upright boxes overlap, they do not', async () => {
      const page = await openReport(browser, `<!DOCTYPE html><body>${renderSvg(option(110), 680, 320)}</body>`);
      try {
        const labels = (await textOverlaps(page, -Infinity)).filter(
          (o) => o.a.rotated && o.b.rotated && layers.includes(o.a.text) && layers.includes(o.b.text),
        );
        const upright = labels.filter(
          ({ a, b }) =>
            Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1.5 &&
            Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1.5,
        );
        expect(upright.length).toBeGreaterThan(0);
        expect(upright.filter((o) => penetration(o.a.corners, o.b.corners) > 1.5).map(describeOverlap)).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  it('the overlap check catches a title drawn on the top tick label (the old layout)', async () => {
    // The pre-fix layout: a 13px title with the grid starting 14px below the top, so the first y label sits on it.
    const option = (gridTop: number) => ({
      title: titleBlock('Learning curve: loss', null, 680).title,
      grid: { left: 64, right: 20, top: gridTop, bottom: 40 },
      xAxis: { type: 'value' as const },
      yAxis: { type: 'value' as const },
      series: [
        {
          type: 'line' as const,
          data: [
            [0, 0.5],
            [10, 2.1],
          ],
        },
      ],
    });
    const page = await openReport(
      browser,
      `<!DOCTYPE html><body>${renderSvg(option(14))}${renderSvg(option(titleBlock('x', null, 680).gridTop))}</body>`,
    );
    try {
      const overlaps = await textOverlaps(page);
      expect(overlaps.length).toBeGreaterThan(0);
      expect(overlaps.every((o) => o.a.svg === 0)).toBe(true); // the fixed layout (chart 1) has none
    } finally {
      await page.close();
    }
  });
});
