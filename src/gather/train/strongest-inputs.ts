import type { WeightEpoch } from '../../artifacts/schema.js';

type Strongest = NonNullable<WeightEpoch['weights'][number]['strongest']>;

/**
 * Per unit of a row-major [inputs, units] kernel, its k inputs of largest |weight|, strongest first (ties: the lower
 * input). Non-finite weights rank first: a NaN connection is the one a reader needs to see.
 */
export function strongestInputs(kernel: ArrayLike<number>, inputs: number, units: number, k: number): Strongest {
  const keep = Math.min(k, inputs);
  const rank = (v: number): number => (Number.isFinite(v) ? Math.abs(v) : Number.POSITIVE_INFINITY);
  const rows: number[] = [];
  const values: Array<number | null> = [];
  const best: number[] = [];
  for (let j = 0; j < units; j++) {
    best.length = 0;
    for (let i = 0; i < inputs; i++) {
      const r = rank(kernel[i * units + j]!);
      if (best.length === keep && r <= rank(kernel[best[keep - 1]! * units + j]!)) continue;
      // Insertion into a list of at most k: k is small, so this beats sorting every column.
      let at = Math.min(best.length, keep - 1);
      if (best.length < keep) best.push(i);
      while (at > 0 && rank(kernel[best[at - 1]! * units + j]!) < r) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = i;
    }
    for (const i of best) {
      const v = kernel[i * units + j]!;
      rows.push(i);
      values.push(Number.isFinite(v) ? Number(v.toPrecision(4)) : null);
    }
  }
  return { k: keep, inputs: rows, values };
}
