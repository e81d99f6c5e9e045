import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { renderHtml } from '../../src/report/html/render-html.js';
import { sampleResult, sampleResults } from '../helpers/results.js';
import { describeWith } from '../helpers/requirements.js';
import { describeOverlap, launch, textOverlaps } from './visual-helpers.js';

/**
 * The HTML report on a screen, in real Chromium: a 360 px phone and a 1280 px desktop. The page never scrolls
 * sideways, no table cell breaks a word in two (ids, verdicts, layer names), and on the phone every chart's text is
 * drawn at 10 px or more, inside its chart, with no text over other text.
 */
/** Every sample on the phone (where the phone drawings could go wrong); four varied ones on the desktop. */
const ALL = sampleResults().map(([n]) => n);
const SAMPLES = ['overfitting', 'vanishing-gradients', 'saturated-activations', 'wine-loaded'];
const PHONE = 360;
const DESKTOP = 1280;
const MIN_CHART_TEXT_PX = 10;

interface Layout {
  scrollWidth: number;
  /** Words of table cells drawn on more than one line, or sticking out of their cell. */
  brokenWords: string[];
  /** Chart texts drawn smaller than MIN_CHART_TEXT_PX, with their size. */
  smallText: string[];
  /** Chart texts running past their chart's left or right edge (cut off on screen). */
  clipped: string[];
  chartTexts: number;
}

async function open(browser: Browser, html: string, width: number): Promise<Page> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width, height: 800 });
  await page.emulateMediaType('screen');
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

/**
 * Measured in the page (as source text: the test program has no DOM types). A word of a table cell is broken when
 * its text range has more than one line box, or sticks out of the cell; a word runs to a space, and a line may end
 * after a hyphen ("0.2-" / "0.5") as in any text. A chart text's drawn size is its font size times the SVG's scale.
 */
const MEASURE = `(() => {
  const brokenWords = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('svg')) continue;
      for (const m of node.data.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        const outside = rects.some((r) => r.right > box.right + 1 || r.left < box.left - 1);
        if (rects.length > 1 || outside) brokenWords.push(m[0]);
      }
    }
  }
  const smallText = [];
  const clipped = [];
  let chartTexts = 0;
  for (const t of document.querySelectorAll('figure.chart svg text')) {
    const text = (t.textContent || '').trim();
    if (!text || t.getBoundingClientRect().width === 0) continue; // empty, or in the hidden drawing
    chartTexts++;
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
    if (px < ${MIN_CHART_TEXT_PX} - 0.05) smallText.push(text.slice(0, 30) + ': ' + px.toFixed(1) + ' px');
    const box = t.getBoundingClientRect();
    const chart = t.ownerSVGElement.getBoundingClientRect();
    if (box.right > chart.right + 1 || box.left < chart.left - 1) clipped.push(text.slice(0, 40));
  }
  return { scrollWidth: document.documentElement.scrollWidth, brokenWords, smallText, clipped, chartTexts };
})()`;

function layout(page: Page): Promise<Layout> {
  return page.evaluate(MEASURE) as Promise<Layout>;
}

let browser: Browser;

describeWith(['chromium'], 'the HTML report on a phone and a desktop screen', () => {
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(ALL)('%s at 360 px: no sideways scroll, whole words in tables, chart text >= 10 px', async (name) => {
    const page = await open(browser, renderHtml(sampleResult(name)), PHONE);
    try {
      const l = await layout(page);
      expect(l.scrollWidth).toBeLessThanOrEqual(PHONE);
      expect([...new Set(l.brokenWords)]).toEqual([]);
      expect(l.chartTexts).toBeGreaterThan(20); // the check saw the charts
      expect(l.smallText).toEqual([]);
      expect(l.clipped).toEqual([]);
      // The phone drawings are laid out for their own width: none of their text is drawn over other text.
      expect((await textOverlaps(page)).map(describeOverlap)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a long unbreakable token in the spec, a measured value and a table cell scrolls or breaks in its box, never the page', async () => {
    const r = sampleResult('overfitting');
    const token = `${'block_conv2d_batchnorm_relu_'.repeat(6)}end`;
    r.spec = { ...(r.spec as Record<string, unknown>), name: token, notes: `see ${token}` };
    r.findings = r.findings.map((f, i) => (i === 0 ? { ...f, displayValue: token } : f));
    r.model.layers = r.model.layers.map((l, i) => (i === 0 ? { ...l, name: token } : l));
    const html = renderHtml(r);
    for (const width of [PHONE, DESKTOP]) {
      const page = await open(browser, html, width);
      try {
        const l = await layout(page);
        expect(l.scrollWidth, `${width} px`).toBeLessThanOrEqual(width);
        expect([...new Set(l.brokenWords)], `${width} px`).toEqual([]);
      } finally {
        await page.close();
      }
    }
  });

  it.each(SAMPLES)(
    '%s at 1280 px: no sideways scroll, whole words in tables, a column wider than print',
    async (name) => {
      const page = await open(browser, renderHtml(sampleResult(name)), DESKTOP);
      try {
        const l = await layout(page);
        expect(l.scrollWidth).toBeLessThanOrEqual(DESKTOP);
        expect([...new Set(l.brokenWords)]).toEqual([]);
        expect((await page.evaluate('document.body.getBoundingClientRect().width')) as number).toBeGreaterThan(1000);
        // Two charts side by side: some chart starts right of the column's middle.
        const lefts = await page.$$eval('figure.chart', (fs) => fs.map((f) => f.getBoundingClientRect().left));
        expect(lefts.filter((x) => x > DESKTOP / 2).length).toBeGreaterThan(0);
      } finally {
        await page.close();
      }
    },
  );
});
