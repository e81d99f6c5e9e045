import { COLORS } from './echarts-svg.js';
import { escapeXml } from '../escape-xml.js';

/**
 * A word-sized trend line (Tufte's sparkline) for a table cell: one point per run, the last one marked,
 * red when it got worse. Hand-written SVG: a chart library's axes and padding would not fit a table row.
 */
export function sparkline(
  values: Array<number | null>,
  worse: boolean,
  label: string,
  width = 90,
  height = 18,
): string {
  const pts = values
    .map((v, i) => ({ v, i }))
    .filter((p): p is { v: number; i: number } => p.v !== null && Number.isFinite(p.v));
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}">`;
  if (pts.length === 0) return `${open}</svg>`;
  const lo = Math.min(...pts.map((p) => p.v));
  const hi = Math.max(...pts.map((p) => p.v));
  const n = Math.max(1, values.length - 1);
  const x = (i: number) => 3 + ((width - 6) * i) / n;
  const y = (v: number) => (hi === lo ? height / 2 : height - 3 - ((height - 6) * (v - lo)) / (hi - lo));
  const last = pts[pts.length - 1]!;
  const color = worse ? COLORS.fail : COLORS.series[0];
  return (
    `${open}<polyline points="${pts.map((p) => `${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}" fill="none" stroke="${COLORS.muted}" stroke-width="1.2"/>` +
    `<circle cx="${x(last.i).toFixed(1)}" cy="${y(last.v).toFixed(1)}" r="2.5" fill="${color}"/></svg>`
  );
}
