import { compactJson } from './compact-json.js';
import { publicSpec } from './public-text.js';

/**
 * Characters per spec line in the two-column layout: what fits half the printed page at the appendix's monospace
 * size (7pt, ~1.5 mm a character, 86 mm a column), so no line wraps.
 */
export const SPEC_WIDTH = 56;

/**
 * The printed layouts, each with the line width that fits its column (172 mm of page; DejaVu Sans Mono is 0.6 em
 * wide) and its font size in points. The one that prints fewest millimetres wins: one wide line a layer for deep
 * specs, three narrow columns for short ones.
 */
const LAYOUTS: ReadonlyArray<{ columns: 1 | 2 | 3; width: number; pt: number }> = [
  { columns: 1, width: 120, pt: 6.5 },
  { columns: 2, width: SPEC_WIDTH, pt: 7 },
  { columns: 3, width: 37, pt: 6.5 },
];

const LAYER_DEFAULTS: Readonly<Record<string, unknown>> = { useBias: true, trainable: true };

export interface PrintedSpec {
  text: string;
  /** 1: wide lines (one layer each) across the page; 2 or 3: short lines in that many columns. */
  columns: 1 | 2 | 3;
  note: string | null;
}

/**
 * The spec as the appendix prints it: paths shortened (publicSpec), layer defaults left out, and laid out in
 * whichever of LAYOUTS prints shortest. A ten-layer
 * spec took a page and a half in two columns (nine lines a layer); one line a layer fits it in a third of a page.
 */
export function printedSpec(spec: unknown): PrintedSpec {
  let omitted = false;
  const trimmed = mapLayers(publicSpec(spec), (layer) => {
    const kept = Object.entries(layer).filter(([k, v]) => !(k in LAYER_DEFAULTS && LAYER_DEFAULTS[k] === v));
    if (kept.length < Object.keys(layer).length) omitted = true;
    return Object.fromEntries(kept);
  });
  const printed = LAYOUTS.map((l) => {
    const text = compactJson(trimmed, l.width);
    return { columns: l.columns, text, height: Math.ceil(text.split('\n').length / l.columns) * l.pt };
  }).reduce((best, x) => (x.height < best.height ? x : best));
  const note = omitted
    ? `Layer fields at their defaults (${Object.entries(LAYER_DEFAULTS)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ')}) are left out; result.json has the spec in full.`
    : null;
  return { text: printed.text, columns: printed.columns, note };
}

/** Applies `f` to every layer object of a spec's model (model.train.layers), leaving everything else as it is. */
function mapLayers(spec: unknown, f: (layer: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (!isRecord(spec) || !isRecord(spec.model) || !isRecord(spec.model.train)) return spec;
  const layers = spec.model.train.layers;
  if (!Array.isArray(layers)) return spec;
  const mapped = layers.map((l: unknown) => (isRecord(l) ? f(l) : l));
  return { ...spec, model: { ...spec.model, train: { ...spec.model.train, layers: mapped } } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
