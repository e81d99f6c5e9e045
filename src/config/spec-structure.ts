import { SpecError } from '../errors.js';
import { nestsDeeperThan } from '../util/json-depth.js';

/** Levels of nesting a spec may have: the deepest real spec (inline data, assertions) is under 10. */
export const MAX_SPEC_DEPTH = 64;

/** Layers a built model may have: deeper than any MLP or small CNN nnaudit is for, small enough to build at once. */
export const MAX_SPEC_LAYERS = 1_000;

/**
 * Checks a parsed spec's shape before the schema walks it: nesting depth (100k nested arrays would be
 * "Maximum call stack size exceeded" in the validator), self-reference (a YAML alias inside its own anchor,
 * else "Converting circular structure to JSON") and the number of layers (a million would be built first).
 */
export function checkSpecStructure(raw: unknown, where: string): void {
  if (nestsDeeperThan(raw, MAX_SPEC_DEPTH)) {
    throw new SpecError(
      `${where}: nested more than ${MAX_SPEC_DEPTH} levels deep (or a YAML alias refers to itself); a spec is a few levels of fields`,
    );
  }
  checkInlineData(raw, where);
  const layers = (raw as { model?: { train?: { layers?: unknown } } } | null)?.model?.train?.layers;
  if (Array.isArray(layers) && layers.length > MAX_SPEC_LAYERS) {
    throw new SpecError(
      `${where}: model.train.layers has ${layers.length.toLocaleString('en-US')} layers, over the cap of ${MAX_SPEC_LAYERS.toLocaleString('en-US')} layers of a built model`,
    );
  }
}

/**
 * Inline data (data.json: {x, y}) with NaN or Infinity (YAML .nan, .inf): the schema's union would report the
 * first branch's complaint, "expected string" (a file name). Named here by position instead.
 */
function checkInlineData(raw: unknown, where: string): void {
  const json = (raw as { data?: { json?: unknown } } | null)?.data?.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return;
  for (const key of ['x', 'y'] as const) {
    const rows = (json as Record<string, unknown>)[key];
    if (!Array.isArray(rows)) continue;
    for (let r = 0; r < rows.length; r++) {
      const row: unknown = rows[r];
      const cells: unknown[] = Array.isArray(row) ? row : [row];
      const c = cells.findIndex((v) => typeof v === 'number' && !Number.isFinite(v));
      if (c >= 0) {
        const at = Array.isArray(row) ? `data.json.${key}[${r}][${c}]` : `data.json.${key}[${r}]`;
        throw new SpecError(`${where}: ${at} is ${String(cells[c])}, not a finite number; fix or drop that row`);
      }
    }
  }
}
