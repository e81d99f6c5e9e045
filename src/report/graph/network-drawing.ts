import type { AuditResult } from '../../result/schema.js';
import { COLORS, FONT } from '../charts/echarts-svg.js';
import { escapeXml } from '../escape-xml.js';

/** Layers up to this many units are drawn unit by unit; wider ones show their first and last units. */
export const MAX_UNITS_DRAWN = 64;
/** Wider layers keep this many units in the picture (first 16, last 8). */
const SUMMARY_HEAD = 16;
const SUMMARY_TAIL = 8;
/** More connections than this between two layers: only the strongest are drawn (the caption says so). */
export const MAX_EDGES_PER_PAIR = 1200;
/** Dense stacks deeper than this read better as the layer graph. */
const MAX_LAYERS = 8;
/** A unit saturated on at least this share of probe samples is marked (the analyzer's per-unit notion). */
const SATURATED_SHARE = 0.5;
/** Layer types that pass units through unchanged (same count), so a chain of them is still a dense network. */
const PASS_THROUGH = new Set(['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

interface Column {
  name: string;
  units: number;
  shown: number[];
  dead: Set<number>;
  saturated: Set<number>;
  activation: string | null;
}

/**
 * The network drawn neuron by neuron, for small dense networks (a chain of Dense layers, at most 8): each
 * connection coloured by its weight's sign (blue positive, orange negative) with width and opacity from its
 * magnitude, dead ReLU units crossed out, saturated units ringed. Returns null for anything else; the
 * report then shows the layer graph. Weights come from the last probe's recorded kernel values.
 */
export function networkDrawing(r: AuditResult): { svg: string; caption: string } | null {
  const chain = denseChain(r);
  if (!chain) return null;
  const acts = r.measurements.activations[r.measurements.activations.length - 1];
  const kernels = [...r.measurements.weights].reverse().find((w) => w.weights.some((x) => x.values))?.weights ?? [];
  const inputUnits = r.model.inputShape[r.model.inputShape.length - 1] ?? null;
  if (inputUnits === null) return null;
  const columns: Column[] = [
    column('input', inputUnits, null, null),
    ...chain.map((l) => column(l.name, l.units!, l.activation, acts?.layers.find((a) => a.layer === l.name) ?? null)),
  ];
  const tallest = Math.max(...columns.map((c) => c.shown.length));
  const gap = tallest > 40 ? 7 : tallest > 16 ? 9 : 16;
  const radius = Math.min(7, gap * 0.38);
  const colW = 120;
  const top = 34;
  const width = colW * (columns.length - 1) + 140;
  const height = top + tallest * gap + 46;
  const xOf = (c: number) => 70 + c * colW;
  const yOf = (c: number, k: number) => top + ((tallest - columns[c]!.shown.length) * gap) / 2 + k * gap + gap / 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT}" role="img" aria-label="network drawn neuron by neuron">`,
  ];
  const notes: string[] = [];
  for (let c = 1; c < columns.length; c++) {
    const from = columns[c - 1]!;
    const to = columns[c]!;
    const values = kernels.find((w) => w.layer === to.name && w.weight === 'kernel')?.values;
    if (!values || values.length !== from.units * to.units) {
      notes.push(
        `${to.name}: weights not recorded (wider than ${MAX_UNITS_DRAWN} or an older result), connections not drawn`,
      );
      continue;
    }
    const edges: Array<{ i: number; j: number; w: number }> = [];
    from.shown.forEach((u, i) =>
      to.shown.forEach((v, j) => {
        const w = values[u * to.units + v];
        if (w !== null && w !== undefined) edges.push({ i, j, w });
      }),
    );
    const maxAbs = Math.max(1e-12, ...edges.map((e) => Math.abs(e.w)));
    edges.sort((a, b) => Math.abs(b.w) - Math.abs(a.w));
    if (edges.length > MAX_EDGES_PER_PAIR)
      notes.push(
        `${to.name}: the strongest ${MAX_EDGES_PER_PAIR.toLocaleString('en-US')} of ${edges.length.toLocaleString('en-US')} connections drawn`,
      );
    // Weakest first, so strong connections are painted on top.
    for (const e of edges.slice(0, MAX_EDGES_PER_PAIR).reverse()) {
      const m = Math.abs(e.w) / maxAbs;
      out.push(
        `<line x1="${xOf(c - 1)}" y1="${yOf(c - 1, e.i).toFixed(1)}" x2="${xOf(c)}" y2="${yOf(c, e.j).toFixed(1)}" stroke="${e.w >= 0 ? COLORS.series[0] : COLORS.series[1]}" stroke-width="${(0.3 + 2.7 * m).toFixed(2)}" stroke-opacity="${(0.15 + 0.75 * m).toFixed(2)}"/>`,
      );
    }
  }
  columns.forEach((col, c) => {
    const x = xOf(c);
    out.push(
      `<text x="${x}" y="14" font-size="11" font-weight="bold" text-anchor="middle" fill="${COLORS.text}">${escapeXml(clip(col.name, 16))}</text>`,
    );
    out.push(
      `<text x="${x}" y="27" font-size="9.5" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(`${col.units} unit${col.units === 1 ? '' : 's'}${col.activation ? ` · ${col.activation}` : ''}`)}</text>`,
    );
    col.shown.forEach((u, k) => {
      const y = yOf(c, k);
      const dead = col.dead.has(u);
      const sat = col.saturated.has(u);
      out.push(
        `<circle cx="${x}" cy="${y.toFixed(1)}" r="${radius.toFixed(1)}" fill="${dead ? '#e8eaed' : '#ffffff'}" stroke="${sat ? COLORS.warn : dead ? COLORS.fail : '#5f6368'}" stroke-width="${sat ? 2.2 : 1}"/>`,
      );
      if (dead) {
        const d = radius * 0.8;
        out.push(
          `<path d="M${x - d},${(y - d).toFixed(1)} L${x + d},${(y + d).toFixed(1)} M${x - d},${(y + d).toFixed(1)} L${x + d},${(y - d).toFixed(1)}" stroke="${COLORS.fail}" stroke-width="1.4"/>`,
        );
      }
      if (col.shown.length < col.units && k === SUMMARY_HEAD - 1) {
        out.push(
          `<text x="${x + radius + 4}" y="${(y + gap / 2 + 3).toFixed(1)}" font-size="9" fill="${COLORS.muted}">⋮ ${col.units - col.shown.length} more</text>`,
        );
      }
    });
  });
  const legendY = height - 12;
  out.push(
    `<line x1="10" y1="${legendY - 4}" x2="34" y2="${legendY - 4}" stroke="${COLORS.series[0]}" stroke-width="2.5"/><text x="38" y="${legendY}" font-size="10" fill="${COLORS.text}">positive weight</text>`,
    `<line x1="130" y1="${legendY - 4}" x2="154" y2="${legendY - 4}" stroke="${COLORS.series[1]}" stroke-width="2.5"/><text x="158" y="${legendY}" font-size="10" fill="${COLORS.text}">negative weight</text>`,
    `<circle cx="262" cy="${legendY - 4}" r="5" fill="#e8eaed" stroke="${COLORS.fail}"/><path d="M258,${legendY - 8} L266,${legendY} M258,${legendY} L266,${legendY - 8}" stroke="${COLORS.fail}" stroke-width="1.4"/><text x="272" y="${legendY}" font-size="10" fill="${COLORS.text}">dead</text>`,
    `<circle cx="316" cy="${legendY - 4}" r="5" fill="#fff" stroke="${COLORS.warn}" stroke-width="2.2"/><text x="326" y="${legendY}" font-size="10" fill="${COLORS.text}">saturated</text>`,
    '</svg>',
  );
  const epoch = r.measurements.weights.find((w) => w.weights.some((x) => x.values))
    ? `weights ${r.model.source === 'loaded' && !r.training.history?.epochs.length ? 'as loaded' : `at epoch ${[...r.measurements.weights].reverse().find((w) => w.weights.some((x) => x.values))!.epoch}`}`
    : 'weights not recorded';
  const caption =
    `Each line is one connection: colour is the weight's sign, width and opacity its size relative to the largest in that layer (${epoch}). ` +
    `Dead units (output <= 0 on every probe sample) are crossed out; units saturated (|z| >= 5) on at least half the probe samples are ringed.${notes.length ? ` ${notes.join('; ')}.` : ''}`;
  return { svg: out.join('\n'), caption };
}

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function column(
  name: string,
  units: number,
  activation: string | null,
  acts: AuditResult['measurements']['activations'][number]['layers'][number] | null,
): Column {
  const shown =
    units <= MAX_UNITS_DRAWN
      ? Array.from({ length: units }, (_, i) => i)
      : [
          ...Array.from({ length: SUMMARY_HEAD }, (_, i) => i),
          ...Array.from({ length: SUMMARY_TAIL }, (_, i) => units - SUMMARY_TAIL + i),
        ];
  const relu = activation === 'relu' || activation === 'relu6';
  const dead = new Set<number>(relu && acts ? acts.unitNonPositiveFraction.flatMap((f, i) => (f >= 1 ? [i] : [])) : []);
  const saturated = new Set<number>(
    acts?.unitSaturatedFraction?.flatMap((f, i) => (f >= SATURATED_SHARE ? [i] : [])) ?? [],
  );
  return { name, units, shown, dead, saturated, activation };
}

/** The model's layers as a chain of Dense layers (pass-through layers skipped), or null when it is anything else. */
function denseChain(r: AuditResult): AuditResult['model']['layers'] | null {
  const layers = r.model.layers.filter((l) => l.className !== 'InputLayer' && !PASS_THROUGH.has(l.className));
  if (layers.length === 0 || layers.length > MAX_LAYERS) return null;
  if (!layers.every((l) => l.className === 'Dense' && l.units !== null && l.units > 0)) return null;
  if (r.model.inputShape.length !== 2) return null; // [batch, features]: a flat input vector
  // A chain: every layer has at most one input (no merges or branches).
  if (r.model.layers.some((l) => l.inputs.length > 1)) return null;
  return layers;
}
