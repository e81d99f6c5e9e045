import type * as echarts from 'echarts';

/**
 * Phone copies of the report's charts. A chart drawn for print (680 or 340 px wide, 9-11 px text) and scaled to a
 * 340 px phone column shows its text at 4-9 px; SVG text cannot reflow, so the HTML carries a second drawing of each
 * chart, narrow and with larger text, and the stylesheet shows one or the other by screen width (print never shows
 * the narrow one). Only renderHtml asks for them: a chart function called on its own returns the print drawing.
 */

/** Width of the phone drawing: a 360 px screen's column (340 px, 329 px inside a finding box) shows it at >= 1x. */
export const NARROW_WIDTH = 320;
/** Smallest text in the phone drawing, in px at 1x. */
export const NARROW_MIN_FONT = 10;

/**
 * Height of the phone drawing: a tenth taller than print, for its larger legend and subtitle. At the print height
 * the plot lost the few pixels that kept a padded axis end ("2.2") off the tick below it ("2").
 */
export function narrowHeight(height: number): number {
  return Math.round(height * 1.1);
}

let wanted = false;

/** Runs `build` with phone copies drawn beside every chart it renders (renderSvg asks narrowChartsWanted()). */
export function withNarrowCharts<T>(build: () => T): T {
  const was = wanted;
  wanted = true;
  try {
    return build();
  } finally {
    wanted = was;
  }
}

export function narrowChartsWanted(): boolean {
  return wanted;
}

type Json = unknown;

/**
 * The print option redrawn for the phone width: every font at least NARROW_MIN_FONT, title widths (truncation
 * limits) clamped to the narrow chart, and axis labels that would collide hidden (label intervals were thinned
 * for the print width, not this one). Everything else, formatters and axis extents included, is kept.
 */
export function narrowOption(option: echarts.EChartsOption, width: number): echarts.EChartsOption {
  return adapt(option, '', '', width) as echarts.EChartsOption;
}

function adapt(value: Json, key: string, parent: string, width: number): Json {
  if (key === 'fontSize' && typeof value === 'number') return Math.max(value, NARROW_MIN_FONT);
  // ECharts measures text on the server without the real font and underestimates bold Helvetica by up to a tenth:
  // a title truncated at the full width still ran past the chart's edge.
  if (key === 'width' && typeof value === 'number' && (parent === 'textStyle' || parent === 'subtextStyle'))
    return Math.min(value, Math.floor((width - 4) * 0.88));
  if (Array.isArray(value)) return value.map((v) => adapt(v, key, parent, width));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = adapt(v, k, key, width);
  // hideOverlap compares ECharts' own text boxes, a line shorter than Chromium draws: with a 16 px line it also
  // hides a padded axis end ("2.7e9") that sits 13 px above the tick below it.
  if (key === 'xAxis' || key === 'yAxis')
    out['axisLabel'] = { lineHeight: 16, ...(out['axisLabel'] as object), hideOverlap: true };
  return out;
}
