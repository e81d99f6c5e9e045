import * as echarts from 'echarts';

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

export const FONT = 'Helvetica, Arial, sans-serif';

/**
 * Renders an ECharts option to an SVG string on the server (no DOM, no JavaScript in the output).
 * ECharts escapes every text it draws, so layer names cannot inject markup.
 */
export function renderSvg(option: echarts.EChartsOption, width = 680, height = 260): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
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

/** Shortens long layer names for axis labels (the tables keep the full names). */
export function shortLabel(name: string, max = 18): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

/** Axis for positive values spanning decades: log scale with readable exponent labels. */
export function logAxis(name: string): echarts.EChartsOption['yAxis'] {
  return {
    type: 'log', name, nameLocation: 'middle', nameGap: 46, logBase: 10,
    axisLabel: { formatter: (v: number) => (v === 0 ? '0' : v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0)) },
    splitLine: { lineStyle: { color: COLORS.grid } },
  };
}

/** Keeps at most `max` items, spread evenly, always including the first and last. */
export function sampleEvenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = (items.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => items[Math.round(i * step)]!);
}
