import type { Evidence } from '../../result/evidence.js';
import { COLORS, logAxis, renderSvg, sampleEvenly, shortLabel } from './echarts-svg.js';

type Ev<K extends Evidence['kind']> = Extract<Evidence, { kind: K }>;

/** Draws one evidence item as an SVG chart; tables are rendered as HTML by the template instead. */
export function evidenceChart(e: Evidence): string | null {
  switch (e.kind) {
    case 'series': return seriesChart(e);
    case 'bars': return barsChart(e);
    case 'histogram': return histogramChart(e);
    case 'heatmap': return heatmapChart(e);
    case 'table': return null;
  }
}

export function seriesChart(e: Ev<'series'>, height = 260): string {
  const logY = e.logY ?? false;
  const positive = (v: number | null) => (v === null || (logY && v <= 0) ? null : v);
  return renderSvg({
    title: { text: e.title, left: 0, textStyle: { fontSize: 13, fontWeight: 'bold' } },
    legend: { bottom: 0, left: 'center', itemHeight: 8 },
    grid: { left: 64, right: 20, top: 36, bottom: 62 },
    xAxis: { type: 'value', name: e.xLabel, nameLocation: 'middle', nameGap: 24, min: 'dataMin', max: 'dataMax', splitLine: { show: false } },
    yAxis: logY ? logAxis(e.yLabel) : { type: 'value', scale: true, name: e.yLabel, nameLocation: 'middle', nameGap: 46, splitLine: { lineStyle: { color: COLORS.grid } } },
    series: e.series.map((s, i) => ({
      type: 'line', name: s.name, showSymbol: e.x.length <= 30, symbolSize: 4, connectNulls: false,
      data: e.x.map((x, j) => [x, positive(s.values[j] ?? null)]),
      ...(i === 0 && (e.markers ?? []).length ? {
        markLine: { symbol: 'none', label: { formatter: '{b}', position: 'end', fontSize: 10, color: COLORS.pass }, lineStyle: { color: COLORS.pass, type: 'dashed' },
          data: (e.markers ?? []).map((m) => ({ xAxis: m.x, name: m.label })) },
      } : {}),
      ...(i === 0 && (e.regions ?? []).length ? {
        markArea: { itemStyle: { color: 'rgba(217, 48, 37, 0.10)' }, label: { color: COLORS.fail, fontSize: 10 },
          data: (e.regions ?? []).map((r) => [{ xAxis: r.from, name: r.label }, { xAxis: r.to }]) },
      } : {}),
    })),
  }, 680, height + 20);
}

export function barsChart(e: Ev<'bars'>): string {
  const labels = e.labels.map((l) => shortLabel(l));
  const rotate = labels.length > 6 ? 30 : 0;
  return renderSvg({
    title: { text: e.title, left: 0, textStyle: { fontSize: 13, fontWeight: 'bold' } },
    grid: { left: 60, right: 20, top: 40, bottom: rotate ? 80 : 40 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate, interval: 0, fontSize: 10 } },
    yAxis: e.logY ? logAxis(e.unit) : { type: 'value', name: e.unit, nameLocation: 'middle', nameGap: 46, splitLine: { lineStyle: { color: COLORS.grid } } },
    series: [{
      type: 'bar', barMaxWidth: 36,
      data: e.values.map((v) => ({ value: v, itemStyle: { color: e.threshold != null && v != null && v >= e.threshold ? COLORS.fail : COLORS.series[0] } })),
      ...(e.threshold != null ? { markLine: { symbol: 'none', lineStyle: { color: COLORS.fail, type: 'dashed' }, label: { formatter: `threshold ${e.threshold}`, fontSize: 10 }, data: [{ yAxis: e.threshold }] } } : {}),
    }],
  }, 680, rotate ? 300 : 260);
}

export function histogramChart(e: Ev<'histogram'>, width = 330, height = 200): string {
  const centers = e.counts.map((_, i) => ((e.edges[i]! + e.edges[i + 1]!) / 2));
  return renderSvg({
    title: { text: e.title, left: 0, textStyle: { fontSize: 11, fontWeight: 'bold', width: width - 10, overflow: 'truncate' } },
    grid: { left: 45, right: 10, top: 30, bottom: 35 },
    xAxis: { type: 'category', data: centers.map((c) => Number(c.toPrecision(2))), name: e.xLabel, nameLocation: 'middle', nameGap: 22,
      axisLabel: { interval: Math.ceil(centers.length / 5) - 1, fontSize: 9 } },
    yAxis: { type: 'value', splitLine: { lineStyle: { color: COLORS.grid } }, axisLabel: { fontSize: 9 } },
    series: [{ type: 'bar', barCategoryGap: '5%', data: e.counts, itemStyle: { color: COLORS.series[0] } }],
  }, width, height);
}

/** Heatmaps downsample columns (max over each group) so a 512-unit layer stays a readable strip. */
export function heatmapChart(e: Ev<'heatmap'>, maxCols = 64, maxRows = 24): string {
  const rowsIdx = sampleEvenly(e.yLabels.map((_, i) => i), maxRows);
  const group = Math.max(1, Math.ceil(e.xLabels.length / maxCols));
  const cols = Math.ceil(e.xLabels.length / group);
  const data: Array<[number, number, number | '-']> = [];
  let min = Infinity;
  let max = -Infinity;
  rowsIdx.forEach((r, y) => {
    for (let c = 0; c < cols; c++) {
      const slice = (e.values[r] ?? []).slice(c * group, (c + 1) * group).filter((v): v is number => v !== null && Number.isFinite(v));
      if (slice.length === 0) { data.push([c, y, '-']); continue; }
      let v = Math.max(...slice);
      if (e.logScale) v = Math.log10(Math.max(v, 1e-30));
      min = Math.min(min, v);
      max = Math.max(max, v);
      data.push([c, y, v]);
    }
  });
  if (!Number.isFinite(min)) { min = 0; max = 1; }
  // Grouped columns are labelled by their first index; the title says how many each cell covers.
  const xLabels = Array.from({ length: cols }, (_, c) => e.xLabels[c * group]!);
  const height = Math.min(520, 110 + rowsIdx.length * 22);
  return renderSvg({
    title: { subtext: `color: ${e.valueLabel}${e.logScale ? ' (log scale)' : ''}`, subtextStyle: { fontSize: 10 }, itemGap: 4,
      text: `${e.title}${group > 1 ? ` (max over groups of ${group})` : ''}${rowsIdx.length < e.yLabels.length ? ` — ${rowsIdx.length} of ${e.yLabels.length} rows` : ''}`, left: 0,
      textStyle: { fontSize: 13, fontWeight: 'bold' } },
    grid: { left: 130, right: 90, top: 48, bottom: 50 },
    xAxis: { type: 'category', data: xLabels, name: e.xLabel, nameLocation: 'middle', nameGap: 30, splitArea: { show: false },
      axisLabel: { fontSize: 9, interval: Math.max(0, Math.ceil(cols / 16) - 1) } },
    yAxis: { type: 'category', data: rowsIdx.map((r) => shortLabel(e.yLabels[r]!)), inverse: true, axisLabel: { fontSize: 10 } },
    visualMap: {
      min, max: max === min ? min + 1 : max, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120,
      text: [fmtScale(max, e.logScale), fmtScale(min, e.logScale)], textStyle: { fontSize: 9 },
      inRange: { color: ['#f1f3f4', '#8ab4f8', '#1a73e8', '#d93025'] },
      formatter: (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(2))) : String(v)),
    },
    series: [{ type: 'heatmap', data, itemStyle: { borderColor: '#ffffff', borderWidth: cols > 32 ? 0 : 1 } }],
  }, 680, height);
}

/** Color-scale end labels: log-scaled heatmaps store log10 values but show the real ones. */
function fmtScale(v: number, log: boolean | undefined): string {
  const real = log ? 10 ** v : v;
  return real === 0 ? '0' : Math.abs(real) >= 0.01 && Math.abs(real) < 1000 ? String(Number(real.toPrecision(2))) : real.toExponential(0);
}
