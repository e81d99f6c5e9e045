import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { renderHtml } from '../../src/report/html/render-html.js';
import { renderSvg, titleBlock } from '../../src/report/charts/echarts-svg.js';
import { sampleResult, sampleResults } from '../helpers/results.js';
import { describeWith } from '../helpers/requirements.js';
import { compareGolden, describeOverlap, GOLDEN_HEIGHT_PX, MAX_DIFF_RATIO, PAGE_WIDTH_PX, openReport, launch, textOverlaps } from './visual-helpers.js';

/**
 * The report as pictures, in real Chromium: golden images of three sample reports (NNAUDIT_UPDATE_GOLDENS=1, or
 * `npm run test:update-goldens`, rewrites them on purpose), and text that never overlaps text in any chart of
 * any sample report: the defect pixels can hide (a title on a tick label is a few pixels).
 */
let browser: Browser;

describeWith(['chromium'], 'report pictures', () => {
  beforeAll(async () => { browser = await launch(); });
  afterAll(async () => { await browser?.close(); });

  it.each(['healthy', 'overfitting', 'dead-relu'])('%s matches its golden image', async (name) => {
    const page = await openReport(browser, renderHtml(sampleResult(name)));
    try {
      // The first two printed pages' worth (verdict, details, the first charts): enough to catch a drawing change, small to commit.
      const height = Math.min(GOLDEN_HEIGHT_PX, await page.evaluate('document.documentElement.scrollHeight') as number);
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

  it('the overlap check catches a title drawn on the top tick label (the old layout)', async () => {
    // The pre-fix layout: a 13px title with the grid starting 14px below the top, so the first y label sits on it.
    const option = (gridTop: number) => ({
      title: titleBlock('Learning curve: loss', null, 680).title,
      grid: { left: 64, right: 20, top: gridTop, bottom: 40 },
      xAxis: { type: 'value' as const }, yAxis: { type: 'value' as const },
      series: [{ type: 'line' as const, data: [[0, 0.5], [10, 2.1]] }],
    });
    const page = await openReport(browser, `<!DOCTYPE html><body>${renderSvg(option(14))}${renderSvg(option(titleBlock('x', null, 680).gridTop))}</body>`);
    try {
      const overlaps = await textOverlaps(page);
      expect(overlaps.length).toBeGreaterThan(0);
      expect(overlaps.every((o) => o.a.svg === 0)).toBe(true); // the fixed layout (chart 1) has none
    } finally {
      await page.close();
    }
  });
});
