import type { Evidence } from '../../result/evidence.js';
import {
  COLORS,
  labelInterval,
  linearAxis,
  logAxis,
  logTick,
  padded,
  renderSvg,
  sampleEvenly,
  shortLabel,
  titleBlock,
} from './echarts-svg.js';
import { steps } from './shared-bins.js';

type Ev<K extends Evidence['kind']> = Extract<Evidence, { kind: K }>;

/** Draws one evidence item as an SVG chart; tables are rendered as HTML by the template instead. */
export function evidenceChart(e: Evidence, width = 680): string | null {
  switch (e.kind) {
    case 'series':
      return seriesChart(e, width, width < 400 ? 220 : 260);
    case 'bars':
      return barsChart(e, width);
    case 'histogram':
      return histogramChart(e, Math.min(width, 340));
    case 'heatmap':
      return heatmapChart(e, 64, 24, undefined, width);
    case 'table':
      return null;
  }
}

export function seriesChart(e: Ev<'series'>, width = 680, height = 260): string {
  const logY = e.logY ?? false;
  const positive = (v: number | null) => (v === null || (logY && v <= 0) ? null : v);
  const markers = e.markers ?? [];
  const regions = e.regions ?? [];
  const levels = (e.levels ?? []).filter((l) => Number.isFinite(l.y) && (!logY || l.y > 0));
  // Marker and region names go into the subtitle: drawn on the plot they collide with the title when early.
  const notes = [
    ...markers.map((m) => `dashed: ${m.label}`),
    ...regions.map((r) => `shaded: ${r.label}`),
    ...levels.map((l) => `dotted: ${l.label}`),
  ];
  const values = e.series
    .flatMap((s) => s.values)
    .map(positive)
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const range = yRange(e.yLabel, logY, [...values, ...levels.map((l) => l.y)]);
  const { title, gridTop } = titleBlock(e.title, notes.length ? notes.join(' · ') : null, width, width < 400 ? 11 : 13);
  return renderSvg(
    {
      title,
      legend: { bottom: 0, left: 'center', itemHeight: 8, textStyle: { fontSize: width < 400 ? 9 : 11 } },
      grid: { left: 64, right: 20, top: gridTop, bottom: 62 },
      xAxis: {
        type: 'value',
        name: e.xLabel,
        nameLocation: 'middle',
        nameGap: 24,
        min: 'dataMin',
        max: 'dataMax',
        splitLine: { show: false },
      },
      yAxis: logY ? { ...logAxis(e.yLabel), ...range } : linearAxis(e.yLabel, range),
      series: e.series.map((s, i) => ({
        type: 'line',
        name: s.name,
        showSymbol: e.x.length <= 30,
        symbolSize: 4,
        connectNulls: false,
        z: 3,
        data: e.x.map((x, j) => [x, positive(s.values[j] ?? null)]),
        ...(i === 0 && (markers.length || levels.length)
          ? {
              markLine: {
                symbol: 'none',
                label: { show: false },
                data: [
                  ...markers.map((m) => ({ xAxis: m.x, lineStyle: { color: COLORS.pass, type: 'dashed' as const } })),
                  ...levels.map((l) => ({
                    yAxis: l.y,
                    lineStyle: { color: COLORS.fail, type: 'dotted' as const, width: 1.5 },
                  })),
                ],
              },
            }
          : {}),
        ...(i === 0 && regions.length
          ? {
              markArea: {
                itemStyle: { color: 'rgba(217, 48, 37, 0.10)' },
                label: { show: false },
                data: regions.map((r) => [{ xAxis: r.from }, { xAxis: r.to }]),
              },
            }
          : {}),
      })),
    },
    width,
    height + 20,
  );
}

/**
 * The y range a reader can trust: losses from 0 and accuracies on 0..1 (a flat run at chance must look flat, not
 * zoomed to 0.6926-0.6945); log axes span whole decades around the data and reference lines, no empty decades.
 * Empty for other linear axes (linearAxis pads the data's extent).
 */
export function yRange(yLabel: string, logY: boolean, values: number[]): { min?: number; max?: number } {
  if (values.length === 0) return {};
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (logY)
    return { min: 10 ** Math.floor(Math.log10(lo)), max: 10 ** Math.ceil(Math.log10(hi === lo ? hi * 10 : hi)) };
  if (/accuracy/i.test(yLabel) && lo >= 0 && hi <= 1) return { min: 0, max: 1 };
  // From 0 and up to the highest of the data and its reference lines (the constant predictor's loss is drawn).
  if (/loss/i.test(yLabel) && lo >= 0) return { min: 0, max: padded({ min: 0, max: hi }).max };
  return {};
}

/** Whether a bar is on the problem side of its chart's threshold. */
function crosses(e: Ev<'bars'>, v: number | null): boolean {
  if (e.threshold == null || v == null) return false;
  return e.thresholdSide === 'below' ? v <= e.threshold : v >= e.threshold;
}

/**
 * A log axis for bars: its floor strictly below the smallest bar (a bar of exactly 1 on an axis from 1 was not
 * drawn at all), its top covering the bars and the threshold line, in whole decades.
 */
function logBarRange(e: Ev<'bars'>): { min?: number; max?: number } {
  const values = e.values.filter((v): v is number => v !== null && v > 0);
  if (values.length === 0) return {};
  const top = Math.max(...values, e.threshold != null && e.threshold > 0 ? e.threshold : 0);
  return { min: 10 ** (Math.ceil(Math.log10(Math.min(...values))) - 1), max: 10 ** Math.ceil(Math.log10(top)) };
}

export function barsChart(e: Ev<'bars'>, width = 680): string {
  const labels = e.labels.map((l) => shortLabel(l, width < 400 ? 12 : 18));
  const rotate = labels.length > (width < 400 ? 3 : 6) ? 30 : 0;
  const grid = { left: 64, right: 20 };
  // A deep model's labels are thinned rather than drawn over each other; the bars all stay.
  const interval = rotate ? labelInterval(labels.length, width - grid.left - grid.right, rotate) : 0;
  const sub = [
    e.threshold != null
      ? `dashed: threshold ${e.threshold}${e.thresholdSide === 'below' ? ' (below it is the problem)' : ''}`
      : null,
    interval ? `one label in ${interval + 1} shown` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const { title, gridTop } = titleBlock(e.title, sub || null, width, width < 400 ? 11 : 13);
  return renderSvg(
    {
      title,
      grid: { ...grid, top: gridTop, bottom: rotate ? 80 : 40 },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate, interval, fontSize: 10 } },
      // The threshold is on the scale: ECharts sizes the axis to the bars alone, which left the line off the plot.
      yAxis: e.logY
        ? { ...logAxis(e.unit), ...logBarRange(e) }
        : {
            type: 'value',
            name: e.unit,
            nameLocation: 'middle',
            nameGap: 46,
            splitLine: { lineStyle: { color: COLORS.grid } },
            ...(e.threshold != null
              ? {
                  // A negative threshold (log10 update sizes) below every bar is on the scale too.
                  min: (x: { min: number }) => Math.min(0, x.min, e.threshold! * 1.1),
                  max: (x: { max: number }) => Math.max(x.max, e.threshold! * 1.1),
                }
              : {}),
          },
      series: [
        {
          type: 'bar',
          barMaxWidth: 36,
          data: e.values.map((v) => ({
            value: v,
            itemStyle: { color: crosses(e, v) ? COLORS.fail : COLORS.series[0] },
          })),
          ...(e.threshold != null
            ? {
                markLine: {
                  symbol: 'none',
                  lineStyle: { color: COLORS.fail, type: 'dashed' },
                  label: { show: false },
                  data: [{ yAxis: e.threshold }],
                },
              }
            : {}),
        },
      ],
    },
    width,
    rotate ? 300 : 260,
  );
}

/** A histogram as a filled step line on a value axis: ECharts picks distinct, readable ticks. */
export function histogramChart(e: Ev<'histogram'>, width = 330, height = 200): string {
  const { title, gridTop } = titleBlock(e.title, null, width, 11);
  return renderSvg(
    {
      title,
      grid: { left: 48, right: 14, top: gridTop, bottom: 36 },
      xAxis: {
        type: 'value',
        scale: true,
        name: e.xLabel,
        nameLocation: 'middle',
        nameGap: 22,
        axisLabel: { fontSize: 9, hideOverlap: true },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        axisLine: { onZero: false },
        splitLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { fontSize: 9 },
      },
      series: [
        {
          type: 'line',
          data: steps(e.edges, e.counts),
          showSymbol: false,
          areaStyle: { opacity: 0.3 },
          lineStyle: { width: 1 },
        },
      ],
    },
    width,
    height,
  );
}

/** Sequential blues for magnitudes that are neither good nor bad; the red ramp only where high means broken. */
export const PALETTES = {
  magnitude: ['#f1f3f4', '#c6dafc', '#669df6', '#1967d2', '#0b3d91'],
  badness: ['#f1f3f4', '#f6c7c3', '#ee675c', '#d93025', '#8c1d18'],
};

/** Heatmaps downsample columns (max over each group) so a 512-unit layer stays a readable strip. */
export function heatmapChart(
  e: Ev<'heatmap'>,
  maxCols = 64,
  maxRows = 24,
  palette: readonly string[] = PALETTES[e.palette ?? 'badness'],
  width = 680,
): string {
  const rowsIdx = sampleEvenly(
    e.yLabels.map((_, i) => i),
    maxRows,
  );
  const group = Math.max(1, Math.ceil(e.xLabels.length / maxCols));
  const cols = Math.ceil(e.xLabels.length / group);
  const data: Array<[number, number, number | '-']> = [];
  let min = Infinity;
  let max = -Infinity;
  rowsIdx.forEach((r, y) => {
    for (let c = 0; c < cols; c++) {
      const slice = (e.values[r] ?? [])
        .slice(c * group, (c + 1) * group)
        .filter((v): v is number => v !== null && Number.isFinite(v));
      if (slice.length === 0) {
        data.push([c, y, '-']);
        continue;
      }
      let v = Math.max(...slice);
      if (e.logScale) v = Math.log10(Math.max(v, 1e-30));
      min = Math.min(min, v);
      max = Math.max(max, v);
      data.push([c, y, v]);
    }
  });
  ({ min, max } = colourScale(e, min, max));
  // Grouped columns are labelled by their first index; the title says how many each cell covers.
  const xLabels = Array.from({ length: cols }, (_, c) => e.xLabels[c * group]!);
  const height = Math.min(520, 120 + rowsIdx.length * 22);
  const sub = `color: ${e.valueLabel}${e.logScale ? ' (log scale)' : ''}${group > 1 ? ` · max over groups of ${group}` : ''}${rowsIdx.length < e.yLabels.length ? ` · ${rowsIdx.length} of ${e.yLabels.length} rows` : ''}`;
  const narrow = width < 400;
  const { title, gridTop } = titleBlock(e.title, sub, width, narrow ? 11 : 13);
  return renderSvg(
    {
      title,
      grid: { left: narrow ? 70 : 130, right: narrow ? 60 : 90, top: gridTop, bottom: 50 },
      xAxis: {
        type: 'category',
        data: xLabels,
        name: e.xLabel,
        nameLocation: 'middle',
        nameGap: 30,
        splitArea: { show: false },
        axisLabel: { fontSize: 9, interval: Math.max(0, Math.ceil(cols / 16) - 1) },
      },
      yAxis: {
        type: 'category',
        data: rowsIdx.map((r) => shortLabel(e.yLabels[r]!)),
        inverse: true,
        axisLabel: { fontSize: 10 },
      },
      visualMap: {
        min,
        max: max === min ? min + 1 : max,
        calculable: false,
        orient: 'vertical',
        right: 0,
        top: gridTop,
        itemHeight: Math.max(60, height - gridTop - 90),
        text: [fmtScale(max, e.logScale), fmtScale(min, e.logScale)],
        textStyle: { fontSize: 9 },
        inRange: { color: [...palette] },
        formatter: (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(2))) : String(v)),
      },
      series: [{ type: 'heatmap', data, itemStyle: { borderColor: '#ffffff', borderWidth: cols > 32 ? 0 : 1 } }],
    },
    width,
    height,
  );
}

/**
 * The colour scale's ends (log10 for a log heatmap). A natural range (a share on 0..1) fixes them: stretched to
 * the data's own minimum, a layer whose least-dead unit sat at 0.5 looked half dead in the palest colour.
 */
export function colourScale(e: Ev<'heatmap'>, dataMin: number, dataMax: number): { min: number; max: number } {
  if (e.range)
    return e.logScale
      ? { min: Math.log10(Math.max(e.range.min, 1e-30)), max: Math.log10(e.range.max) }
      : { ...e.range };
  return Number.isFinite(dataMin) ? { min: dataMin, max: dataMax } : { min: 0, max: 1 };
}

/** Color-scale end labels: log-scaled heatmaps store log10 values but show the real ones. */
function fmtScale(v: number, log: boolean | undefined): string {
  return logTick(log ? 10 ** v : v);
}
