import type * as echarts from 'echarts';
// The single-file build, not the package entry: the entry is ~500 ES modules to resolve and link, which made loading
// ECharts most of a cold `nnaudit render` (about 0.7 s of 1.1 s; one file loads in about 0.1 s; bench/report.ts).
// Same version, same code: the rendered SVG is byte-identical.
import { init } from 'echarts/dist/echarts.esm.min.mjs';
import { NARROW_WIDTH, narrowChartsWanted, narrowHeight, narrowOption } from './narrow-charts.js';

/** Colors shared by every chart and the CSS: status colors and a series palette legible in print. */
export const COLORS = {
  pass: '#1e8e3e',
  warn: '#e37400',
  fail: '#d93025',
  muted: '#80868b',
  grid: '#e0e0e0',
  text: '#202124',
  series: ['#1a73e8', '#e8710a', '#188038', '#a142f4', '#d01884', '#12b5cb', '#5f6368'],
};

/**
 * One colour per snapshot across the whole report: the first probed snapshot (or a loaded model's one "as loaded"
 * snapshot) is always the first series colour, the last the second, a middle one the third, so the same epoch has
 * the same colour in the gradient-flow chart, the activation curves and the weight histograms.
 */
export const SNAPSHOT_COLORS = { first: COLORS.series[0]!, last: COLORS.series[1]!, middle: COLORS.series[2]! };

/** The colour of snapshot i of n shown (first, last, or in between). */
export function snapshotColor(i: number, n: number): string {
  if (i === 0) return SNAPSHOT_COLORS.first;
  return i === n - 1 ? SNAPSHOT_COLORS.last : SNAPSHOT_COLORS.middle;
}

export const FONT = 'Helvetica, Arial, sans-serif';

/**
 * Renders an ECharts option to an SVG string on the server (no DOM, no JavaScript in the output).
 * ECharts escapes every text it draws, so layer names cannot inject markup. Inside withNarrowCharts (the HTML
 * report) the print drawing is followed by its phone copy, each in a span the stylesheet shows or hides.
 */
export function renderSvg(option: echarts.EChartsOption, width = 680, height = 260): string {
  const svg = draw(option, width, height);
  if (!narrowChartsWanted()) return svg;
  const narrow = draw(narrowOption(option, NARROW_WIDTH), NARROW_WIDTH, narrowHeight(height));
  return `<span class="chart-print">${svg}</span><span class="chart-narrow">${narrow}</span>`;
}

function draw(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      color: COLORS.series,
      textStyle: { fontFamily: FONT, color: COLORS.text, fontSize: 11 },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * A chart title (and optional subtitle) pinned to the top-left, and the grid top that leaves room for it.
 * The grid starts below the title block plus half a tick label, so the top y-axis label never touches the
 * title (the visual test checks the boxes). Marker and region labels go into the subtitle for the same reason.
 */
export function titleBlock(
  text: string,
  subtext: string | null,
  width: number,
  size = 13,
): { title: echarts.TitleComponentOption; gridTop: number } {
  const subSize = size >= 13 ? 10 : 9;
  return {
    title: {
      text,
      subtext: subtext ?? '',
      left: 0,
      top: 0,
      padding: 0,
      itemGap: 3,
      textStyle: { fontSize: size, fontWeight: 'bold', width: width - 4, overflow: 'truncate' },
      subtextStyle: { fontSize: subSize, color: COLORS.muted, width: width - 4, overflow: 'truncate' },
    },
    gridTop: size + 4 + (subtext ? subSize + 5 : 0) + 12,
  };
}

/** Shortens long layer names for axis labels (the tables keep the full names). */
export function shortLabel(name: string, max = 18): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

/**
 * Which category labels to draw on a rotated axis: ECharts' `interval` (draw one label, skip that many). Two
 * neighbouring labels rotated by `rotate` degrees lie on parallel lines `slot * sin(rotate)` apart, where `slot` is
 * the plot width per category; below a line of text apart they are drawn over each other (34 layers in 596 px at
 * 30 degrees: 8.8 px for 10 px text). Thinning keeps every bar and the first label of each group.
 */
export function labelInterval(count: number, plotWidth: number, rotate: number, fontSize = 10): number {
  if (count <= 1) return 0;
  const slot = plotWidth / count;
  // 1.4 x the font size: the glyph box of a line of text (ascent, descent and line gap), what the visual test compares.
  const lineHeight = fontSize * 1.4;
  const apart = rotate === 0 ? slot : slot * Math.sin((rotate * Math.PI) / 180);
  return Math.max(0, Math.ceil(lineHeight / apart) - 1);
}

/** Tick label for a log axis: plain numbers in the readable decades, exponents outside them. */
export function logTick(v: number): string {
  return v === 0 ? '0' : v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
}

/** Axis for positive values spanning decades: log scale with readable exponent labels. */
export function logAxis(name: string): echarts.EChartsOption['yAxis'] {
  return {
    type: 'log',
    name,
    nameLocation: 'middle',
    nameGap: 46,
    logBase: 10,
    axisLabel: { formatter: logTick },
    splitLine: { lineStyle: { color: COLORS.grid } },
  };
}

/**
 * A linear value axis that never draws a series on top of an axis line: 6% headroom on both sides before
 * ECharts rounds the extent to nice ticks (a constant validation accuracy at the minimum stays visible).
 */
export function linearAxis(name: string, extra: Record<string, unknown> = {}): echarts.EChartsOption['yAxis'] {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 46,
    min: (e: Extent) => padded(e).min,
    max: (e: Extent) => padded(e).max,
    axisLine: { onZero: false },
    splitLine: { lineStyle: { color: COLORS.grid } },
    ...extra,
  };
}

interface Extent {
  min: number;
  max: number;
}

/** The data extent plus 6% headroom, rounded outward to a tenth of its decade; never below 0 for non-negative data. */
export function padded({ min, max }: Extent): Extent {
  const span = max - min || Math.abs(max) || 1;
  const step = 10 ** Math.floor(Math.log10(span)) / 10;
  let lo = Math.floor((min - 0.06 * span) / step) * step;
  if (min >= 0 && lo < 0) lo = 0;
  const hi = Math.ceil((max + 0.06 * span) / step) * step;
  return { min: Number(lo.toPrecision(12)), max: Number(hi.toPrecision(12)) };
}

/** Keeps at most `max` items, spread evenly, always including the first and last. */
export function sampleEvenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = (items.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => items[Math.round(i * step)]!);
}
