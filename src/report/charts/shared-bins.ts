import type { Histogram } from '../../artifacts/schema.js';

/**
 * Puts several histograms (first and last epoch) on one set of bins so their heights compare.
 * The artifacts store each histogram with its own edges; counts are redistributed onto the shared edges in
 * proportion to the overlap of each source bin (uniform within a source bin: an approximation no coarser than
 * the stored histograms). The bin count follows the square-root rule, capped by the stored resolution, so a
 * layer of 5 weights gets 3 bins instead of 30.
 */
export function sharedBins(hists: Histogram[], maxBins = 30): { edges: number[]; counts: number[][] } {
  const usable = hists.filter((h) => h.counts.length > 0 && h.edges.length === h.counts.length + 1);
  if (usable.length === 0) return { edges: [], counts: hists.map(() => []) };
  let lo = Math.min(...usable.map((h) => h.edges[0]!));
  let hi = Math.max(...usable.map((h) => h.edges[h.edges.length - 1]!));
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const total = Math.max(...usable.map((h) => h.counts.reduce((a, b) => a + b, 0)));
  const resolution = Math.max(...usable.map((h) => h.counts.length));
  const n = Math.max(3, Math.min(maxBins, resolution, Math.ceil(Math.sqrt(total))));
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
  return { edges, counts: hists.map((h) => rebin(h, edges)) };
}

/** Counts of `h` redistributed onto `edges` (same total, up to rounding). */
export function rebin(h: Histogram, edges: number[]): number[] {
  const n = edges.length - 1;
  const out = new Array<number>(Math.max(0, n)).fill(0);
  if (n <= 0) return out;
  const lo = edges[0]!;
  const width = (edges[n]! - lo) / n;
  const binOf = (x: number) => Math.min(n - 1, Math.max(0, Math.floor((x - lo) / width)));
  h.counts.forEach((c, i) => {
    const a = h.edges[i]!;
    const b = h.edges[i + 1]!;
    if (c === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return;
    if (!(b > a)) {
      out[binOf(a)]! += c;
      return;
    }
    for (let j = binOf(a); j <= binOf(b); j++) {
      const overlap = Math.min(b, edges[j + 1]!) - Math.max(a, edges[j]!);
      if (overlap > 0) out[j]! += (c * overlap) / (b - a);
    }
  });
  return out.map((v) => Math.round(v * 10) / 10);
}

/** Share of a histogram's mass where `inZone(binCenter)` holds. */
export function shareWhere(edges: number[], counts: number[], inZone: (x: number) => boolean): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return counts.reduce((s, c, i) => s + (inZone((edges[i]! + edges[i + 1]!) / 2) ? c : 0), 0) / total;
}

/** Step-line points of a histogram on a value axis: [x, count] pairs tracing each bar's top. */
export function steps(edges: number[], counts: number[]): Array<[number, number]> {
  return counts.flatMap(
    (c, i): Array<[number, number]> => [
      [edges[i]!, c],
      [edges[i + 1]!, c],
    ],
  );
}
