import { STRONGEST_K } from '../../artifacts/schema.js';
import type { AuditResult } from '../../result/schema.js';

/** Layers up to this many units are drawn unit by unit; wider ones are drawn as a sample of this many. */
export const MAX_UNITS_DRAWN = 64;
export const SAMPLE_UNITS = 32;
/** Lines in the whole picture: past this, each unit keeps only its strongest inputs (a 32x32 pair is 1,024 lines). */
export const LINE_BUDGET = 600;
/** Most inputs drawn per unit once the budget applies: more reads as a hairball. */
export const MAX_K = STRONGEST_K;
/** A pair of layers with at most this many connections is drawn whole (a single output unit's 32 inputs). */
const SMALL_PAIR = 64;
/** A unit saturated on at least this share of probe samples is marked (the analyzer's per-unit notion). */
const SATURATED_SHARE = 0.5;
/** Squashing activations: |z| >= 5 flattens their gradient. A ReLU never saturates (it dies instead). */
const SQUASHING = new Set(['sigmoid', 'tanh', 'hard_sigmoid', 'hardSigmoid', 'softsign']);
const RELU = new Set(['relu', 'relu6']);
/** Layer types that pass units through unchanged (same count), so a chain of them is still a dense network. */
const PASS_THROUGH = new Set(['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);
/** Dense stacks deeper than this read better as the layer graph. */
const MAX_LAYERS = 8;
const LABEL_CHARS = 14;

type Layer = AuditResult['model']['layers'][number];
type WeightStat = AuditResult['measurements']['weights'][number]['weights'][number];

export interface PlanColumn {
  name: string;
  units: number;
  /** Unit indices drawn, ascending. */
  shown: number[];
  dead: Set<number>;
  saturated: Set<number>;
  activation: string | null;
  /** Input column only: a label per shown unit (feature name, else x1..xn). */
  labels: string[] | null;
}

/** One drawn line: positions in the two columns' `shown` lists, the weight, its size relative to the layer's largest. */
export interface PlanEdge {
  from: number;
  to: number;
  w: number;
  strength: number;
  /** The source unit is dead: nothing flows along this line. */
  faded: boolean;
}

export interface NetworkPlan {
  columns: PlanColumn[];
  /** edges[c - 1]: lines from column c - 1 into column c, weakest first (strong ones painted on top). */
  edges: PlanEdge[][];
  notes: string[];
  /** "at epoch 30", "as loaded", or null when no weights were recorded. */
  weightsAt: string | null;
}

/** Per unit of a layer: its candidate inputs, strongest first, or null when the result recorded no weights for it. */
type Incoming = { inputs: number; perUnit: Array<Array<{ i: number; w: number }>>; maxAbs: number } | null;

/** What to draw for a small dense chain, or null when the model is not one (the report shows the layer graph). */
export function planNetwork(r: AuditResult): NetworkPlan | null {
  const chain = denseChain(r);
  const inputUnits = r.model.inputShape[r.model.inputShape.length - 1] ?? null;
  if (!chain || inputUnits === null) return null;
  const probe = [...r.measurements.weights].reverse().find((w) => w.weights.some((x) => x.values || x.strongest));
  const acts = r.measurements.activations[r.measurements.activations.length - 1];
  const layers: Array<{ name: string; units: number; activation: string | null }> = [
    { name: 'input', units: inputUnits, activation: null },
    ...chain.map((l) => ({ name: l.name, units: l.units!, activation: l.activation })),
  ];
  const incoming: Incoming[] = layers.map((l, c) =>
    c === 0
      ? null
      : readIncoming(
          probe?.weights.find((w) => w.layer === l.name && w.weight === 'kernel'),
          layers[c - 1]!.units,
          l.units,
        ),
  );
  const sampled: string[] = [];
  // Chosen from the output back: a sampled layer shows the units its successor's drawn units lean on most.
  const shown: number[][] = layers.map(() => []);
  for (let c = layers.length - 1; c >= 0; c--) {
    const { units, name } = layers[c]!;
    const next = incoming[c + 1];
    if (units <= MAX_UNITS_DRAWN) shown[c] = range(units);
    else if (next) {
      const { units: picked, strong } = strongestSources(next, shown[c + 1]!, units);
      shown[c] = picked;
      const how =
        strong === SAMPLE_UNITS
          ? 'most strongly connected to the next layer'
          : `${strong} most strongly connected to the next layer, ${SAMPLE_UNITS - strong} evenly spaced`;
      sampled.unshift(`${name} ${SAMPLE_UNITS} of ${fmt(units)} (${how})`);
    } else {
      shown[c] = evenSample(units, SAMPLE_UNITS);
      sampled.unshift(`${name} ${SAMPLE_UNITS} of ${fmt(units)} (evenly spaced)`);
    }
  }
  const last = layers.length - 1;
  const columns: PlanColumn[] = layers.map((l, c) => {
    const a = c === 0 ? undefined : acts?.layers.find((x) => x.layer === l.name);
    return {
      ...l,
      shown: shown[c]!,
      dead: new Set(c > 0 && RELU.has(l.activation ?? '') ? unitsWhere(a?.unitNonPositiveFraction, (f) => f >= 1) : []),
      saturated: new Set(
        c > 0 && c < last && SQUASHING.has(l.activation ?? '')
          ? unitsWhere(a?.unitSaturatedFraction ?? undefined, (f) => f >= SATURATED_SHARE)
          : [],
      ),
      labels: c === 0 ? inputLabels(r.data.featureNames, l.units, shown[0]!) : null,
    };
  });
  const k = perUnitLimit(columns);
  const limited: string[] = [];
  const missing: string[] = [];
  const edges = columns.slice(1).map((to, p) => {
    const from = columns[p]!;
    const inc = incoming[p + 1];
    if (!inc) {
      missing.push(to.name);
      return [];
    }
    const whole = from.shown.length * to.shown.length <= SMALL_PAIR ? Number.POSITIVE_INFINITY : k;
    const keep = Math.min(whole, Math.max(0, ...inc.perUnit.map((l) => l.length)));
    if (keep < from.units) limited.push(`${to.name}: strongest ${fmt(keep)} of ${fmt(from.units)} inputs per unit`);
    return pairEdges(from, to, inc, keep);
  });
  const weightsAt = probe
    ? r.model.source === 'loaded' && probe.epoch === 0
      ? 'as loaded'
      : `at epoch ${probe.epoch}`
    : null;
  const notes = [
    sampled.length ? `Units drawn: ${sampled.join('; ')}` : '',
    limited.length
      ? `Lines drawn: ${limited.join('; ')}${columns.some((c) => c.shown.length < c.units) ? ' (lines to units not drawn are left out)' : ''}`
      : '',
    missing.length
      ? `${missing.join(', ')}: weights not recorded (an older result, or too wide), connections not drawn`
      : '',
  ].filter(Boolean);
  return { columns, edges, notes, weightsAt };
}

/**
 * Inputs drawn per unit: all of them while the picture stays under LINE_BUDGET lines, else as many as the budget
 * allows (at most MAX_K, at least 1) in the pairs too big to draw whole.
 */
export function perUnitLimit(columns: Array<Pick<PlanColumn, 'shown'>>): number {
  const pairs = columns
    .slice(1)
    .map((to, p) => ({ dest: to.shown.length, lines: to.shown.length * columns[p]!.shown.length }));
  if (pairs.reduce((n, p) => n + p.lines, 0) <= LINE_BUDGET) return Number.POSITIVE_INFINITY;
  const small = pairs.filter((p) => p.lines <= SMALL_PAIR);
  const budget = LINE_BUDGET - small.reduce((n, p) => n + p.lines, 0);
  const dest = pairs.filter((p) => p.lines > SMALL_PAIR).reduce((n, p) => n + p.dest, 0);
  return Math.max(1, Math.min(MAX_K, Math.floor(budget / Math.max(1, dest))));
}

function pairEdges(from: PlanColumn, to: PlanColumn, inc: NonNullable<Incoming>, keep: number): PlanEdge[] {
  const position = new Map(from.shown.map((u, i) => [u, i]));
  const out: PlanEdge[] = [];
  to.shown.forEach((v, j) => {
    const drawn = (inc.perUnit[v] ?? []).filter((e) => position.has(e.i)).slice(0, keep);
    for (const e of drawn) {
      out.push({
        from: position.get(e.i)!,
        to: j,
        w: e.w,
        strength: Math.abs(e.w) / inc.maxAbs,
        faded: from.dead.has(e.i),
      });
    }
  });
  // Faded lines first, then weakest first: what carries signal is painted on top.
  return out.sort((a, b) => Number(b.faded) - Number(a.faded) || a.strength - b.strength);
}

/** A layer's recorded kernel as candidate inputs per unit: every input (a small kernel) or its strongest few. */
function readIncoming(w: WeightStat | undefined, inputs: number, units: number): Incoming {
  const perUnit: Array<Array<{ i: number; w: number }>> = Array.from({ length: units }, () => []);
  if (w?.values && w.values.length === inputs * units) {
    w.values.forEach((x, n) => {
      if (x !== null) perUnit[n % units]!.push({ i: Math.floor(n / units), w: x });
    });
    for (const l of perUnit) l.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.i - b.i);
  } else if (w?.strongest && w.strongest.inputs.length === units * w.strongest.k) {
    const { k, inputs: rows, values } = w.strongest;
    rows.forEach((i, n) => {
      const x = values[n];
      if (x !== null && x !== undefined) perUnit[Math.floor(n / k)]!.push({ i, w: x });
    });
  } else return null;
  const maxAbs = Math.max(1e-12, ...perUnit.map((l) => Math.abs(l[0]?.w ?? 0)));
  return { inputs, perUnit, maxAbs };
}

/**
 * The source units that the drawn units of the next layer draw on most (summed |weight| of their strongest inputs),
 * and how many of them there were before an even spread filled the column.
 */
function strongestSources(
  next: NonNullable<Incoming>,
  drawnNext: number[],
  units: number,
): { units: number[]; strong: number } {
  const score = new Map<number, number>();
  for (const v of drawnNext)
    for (const e of (next.perUnit[v] ?? []).slice(0, MAX_K)) score.set(e.i, (score.get(e.i) ?? 0) + Math.abs(e.w));
  const picked = [...score.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, SAMPLE_UNITS)
    .map(([i]) => i);
  const strong = picked.length;
  // Too few distinct strong inputs: fill with an even spread, so the column still shows SAMPLE_UNITS units.
  for (const i of evenSample(units, SAMPLE_UNITS))
    if (picked.length < SAMPLE_UNITS && !picked.includes(i)) picked.push(i);
  return { units: picked.sort((a, b) => a - b), strong };
}

export function evenSample(n: number, m: number): number[] {
  if (n <= m) return range(n);
  return Array.from({ length: m }, (_, s) => Math.round((s * (n - 1)) / (m - 1)));
}

function inputLabels(names: string[] | undefined, units: number, shown: number[]): string[] {
  const named = names && names.length === units ? names : null;
  return shown.map((u) => clip(named?.[u] ?? `x${u + 1}`, LABEL_CHARS));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const fmt = (n: number): string => n.toLocaleString('en-US');
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const unitsWhere = (fractions: number[] | undefined, pred: (f: number) => boolean): number[] =>
  fractions?.flatMap((f, i) => (pred(f) ? [i] : [])) ?? [];

/** The model's layers as a chain of Dense layers (pass-through layers skipped), or null when it is anything else. */
function denseChain(r: AuditResult): Layer[] | null {
  const layers = r.model.layers.filter((l) => l.className !== 'InputLayer' && !PASS_THROUGH.has(l.className));
  if (layers.length === 0 || layers.length > MAX_LAYERS) return null;
  if (!layers.every((l) => l.className === 'Dense' && l.units !== null && l.units > 0)) return null;
  if (r.model.inputShape.length !== 2) return null; // [batch, features]: a flat input vector
  // A chain: every layer has at most one input (no merges or branches).
  if (r.model.layers.some((l) => l.inputs.length > 1)) return null;
  return layers;
}
