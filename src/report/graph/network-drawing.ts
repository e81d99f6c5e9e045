import type { AuditResult } from '../../result/schema.js';
import { COLORS, FONT } from '../charts/echarts-svg.js';
import { escapeXml } from '../escape-xml.js';
import { clip, planNetwork, type NetworkPlan, type PlanEdge } from './network-plan.js';

export { MAX_UNITS_DRAWN } from './network-plan.js';

/**
 * One colour per meaning, none shared: blue/orange weights (a pair that survives colour blindness), red dead units
 * (the report's fail colour), purple saturated rings (orange, the warn colour, would read as a negative weight).
 */
export const NETWORK_COLORS = {
  positive: COLORS.series[0]!,
  negative: COLORS.series[1]!,
  dead: COLORS.fail,
  saturated: COLORS.series[3]!,
} as const;
/** Lines out of a dead unit carry nothing: drawn this faint whatever their weight. */
export const FADED_OPACITY = 0.1;
const UNIT_STROKE = '#5f6368';
const LABEL_SIZE = 8;
const LABEL_GAP = 10;
const LEGEND_WIDTH = 480;
const DEAD_FILL = '#e8eaed';

/**
 * The network drawn neuron by neuron, for small dense networks (a chain of Dense layers, at most 8): each
 * connection coloured by its weight's sign with width and opacity from its magnitude, lines out of dead units
 * faded, dead ReLU units crossed out, saturated sigmoid/tanh hidden units ringed, inputs labelled by feature name.
 * Returns null for anything else; the report then shows the layer graph. What is drawn: network-plan.ts.
 */
export function networkDrawing(r: AuditResult): { svg: string; caption: string } | null {
  const plan = planNetwork(r);
  if (!plan) return null;
  const { columns } = plan;
  const tallest = Math.max(...columns.map((c) => c.shown.length));
  const gap = tallest > 40 ? 7 : tallest > 16 ? 9 : 16;
  const radius = Math.min(7, gap * 0.38);
  // The strongest line no wider than a third of the unit spacing, so packed strong lines stay apart.
  const widest = Math.min(3, gap / 3);
  // Labelled inputs get a line of text each: their column spreads out if the units are packed tighter.
  const gaps = columns.map((c) => (c.labels ? Math.max(gap, LABEL_GAP) : gap));
  const span = Math.max(...columns.map((c, i) => c.shown.length * gaps[i]!));
  const labelChars = Math.max(0, ...(columns[0]!.labels ?? []).map((l) => l.length));
  const colW = 120;
  const top = 34;
  const left = Math.max(70, radius + 10 + labelChars * LABEL_SIZE * 0.58);
  const width = Math.ceil(Math.max(LEGEND_WIDTH, left + colW * (columns.length - 1) + 70));
  const height = top + span + 46;
  const xOf = (c: number) => left + c * colW;
  const yOf = (c: number, k: number) =>
    top + (span - columns[c]!.shown.length * gaps[c]!) / 2 + k * gaps[c]! + gaps[c]! / 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT}" role="img" aria-label="network drawn neuron by neuron">`,
  ];
  plan.edges.forEach((pair, p) => {
    for (const e of pair) out.push(line(e, xOf(p), yOf(p, e.from), xOf(p + 1), yOf(p + 1, e.to), widest));
  });
  columns.forEach((col, c) => {
    const x = xOf(c);
    const count =
      col.shown.length < col.units
        ? `${col.shown.length} of ${col.units} units`
        : `${col.units} unit${col.units === 1 ? '' : 's'}`;
    out.push(
      `<text x="${x}" y="14" font-size="11" font-weight="bold" text-anchor="middle" fill="${COLORS.text}">${escapeXml(clip(col.name, 16))}</text>`,
      `<text x="${x}" y="27" font-size="9.5" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(`${count}${col.activation ? ` · ${col.activation}` : ''}`)}</text>`,
    );
    col.shown.forEach((u, k) => {
      const y = yOf(c, k);
      out.push(unit(x, y, radius, col.dead.has(u), col.saturated.has(u)));
      const label = col.labels?.[k];
      if (label)
        out.push(
          `<text x="${(x - radius - 4).toFixed(1)}" y="${(y + LABEL_SIZE * 0.35).toFixed(1)}" font-size="${LABEL_SIZE}" text-anchor="end" fill="${COLORS.text}">${escapeXml(label)}</text>`,
        );
    });
  });
  out.push(...legend(height - 12), '</svg>');
  return { svg: out.join('\n'), caption: caption(plan) };
}

function line(e: PlanEdge, x1: number, y1: number, x2: number, y2: number, widest: number): string {
  const stroke = e.w >= 0 ? NETWORK_COLORS.positive : NETWORK_COLORS.negative;
  const widthPx = e.faded ? 0.6 : 0.3 + (widest - 0.3) * e.strength;
  const opacity = e.faded ? FADED_OPACITY : 0.15 + 0.75 * e.strength;
  return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="${widthPx.toFixed(2)}" stroke-opacity="${opacity.toFixed(2)}"${e.faded ? ' data-faded="1"' : ''}/>`;
}

function unit(x: number, y: number, r: number, dead: boolean, saturated: boolean): string {
  const stroke = saturated ? NETWORK_COLORS.saturated : dead ? NETWORK_COLORS.dead : UNIT_STROKE;
  const circle = `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${dead ? DEAD_FILL : '#ffffff'}" stroke="${stroke}" stroke-width="${saturated ? 2.2 : 1}"${dead ? ' data-dead="1"' : saturated ? ' data-saturated="1"' : ''}/>`;
  if (!dead) return circle;
  const d = r * 0.8;
  return `${circle}<path d="M${(x - d).toFixed(1)},${(y - d).toFixed(1)} L${(x + d).toFixed(1)},${(y + d).toFixed(1)} M${(x - d).toFixed(1)},${(y + d).toFixed(1)} L${(x + d).toFixed(1)},${(y - d).toFixed(1)}" stroke="${NETWORK_COLORS.dead}" stroke-width="1.4"/>`;
}

/** The key, in the same colours and marks as the drawing (a test reads both). */
function legend(y: number): string[] {
  const text = (x: number, s: string) =>
    `<text x="${x}" y="${y}" font-size="10" fill="${COLORS.text}">${escapeXml(s)}</text>`;
  const swatch = (x: number, colour: string, opacity = 1) =>
    `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${colour}" stroke-width="2.5" stroke-opacity="${opacity}" data-legend="1"/>`;
  return [
    swatch(10, NETWORK_COLORS.positive) + text(38, 'positive weight'),
    swatch(120, NETWORK_COLORS.negative) + text(148, 'negative weight'),
    swatch(232, NETWORK_COLORS.positive, FADED_OPACITY * 3) + text(260, 'out of a dead unit'),
    `<circle cx="362" cy="${y - 4}" r="5" fill="${DEAD_FILL}" stroke="${NETWORK_COLORS.dead}" data-legend="1"/><path d="M358,${y - 8} L366,${y} M358,${y} L366,${y - 8}" stroke="${NETWORK_COLORS.dead}" stroke-width="1.4"/>` +
      text(372, 'dead'),
    `<circle cx="412" cy="${y - 4}" r="5" fill="#ffffff" stroke="${NETWORK_COLORS.saturated}" stroke-width="2.2" data-legend="1"/>` +
      text(422, 'saturated'),
  ];
}

function caption(plan: NetworkPlan): string {
  return (
    `Each line is one connection: colour is the weight's sign, width and opacity its size relative to the largest in that layer (${plan.weightsAt ? `weights ${plan.weightsAt}` : 'weights not recorded'}); ` +
    'lines out of a dead unit are faded, as nothing flows along them. ' +
    'Dead ReLU units (output <= 0 on every probe sample) are crossed out; sigmoid/tanh hidden units saturated (|z| >= 5) on at least half the probe samples are ringed. ' +
    `Inputs are labelled by feature name where the data names them, else x1..xn.${plan.notes.map((n) => ` ${n}.`).join('')}`
  );
}
