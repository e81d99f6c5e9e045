/** Rows counted and how many of them were right (recalled, or answered with their label). */
export interface Tally {
  hits: number;
  rows: number;
}

/** The share of rows that were right; null with no rows. */
export function share(t: Tally): number | null {
  return t.rows > 0 ? t.hits / t.rows : null;
}

/** The tallies added up. */
export function sumTallies(ts: Tally[]): Tally {
  return ts.reduce((a, t) => ({ hits: a.hits + t.hits, rows: a.rows + t.rows }), { hits: 0, rows: 0 });
}

/**
 * Per class: recall x rows as a tally (recall is hits / rows, so the product gives the hits back), for the classes in
 * `classes` with rows and a recall.
 */
export function classTally(recall: ReadonlyArray<number | null | undefined>, counts: readonly number[], classes: readonly number[]): Tally {
  return sumTallies(classes.flatMap((c) => {
    const r = recall[c];
    const n = counts[c] ?? 0;
    return n > 0 && r !== null && r !== undefined ? [{ hits: Math.round(r * n), rows: n }] : [];
  }));
}

/**
 * How many standard errors the share of `low` lies below the share of `high`: the pooled two-proportion z statistic
 * (NIST/SEMATECH e-Handbook of Statistical Methods, 7.3.3; Agresti, Categorical Data Analysis, 2.1). Positive when
 * `low` is lower; 0 when either has no rows or every row of both is right or wrong (nothing to tell them apart).
 * One-sided critical values: 1.645 at 5%, 2.326 at 1%. The normal approximation wants about 5 hits and 5 misses per
 * group; the analyzers that use it also require a minimum of rows.
 */
export function zBelow(low: Tally, high: Tally): number {
  if (low.rows === 0 || high.rows === 0) return 0;
  const pooled = (low.hits + high.hits) / (low.rows + high.rows);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / low.rows + 1 / high.rows));
  return se > 0 ? (high.hits / high.rows - low.hits / low.rows) / se : 0;
}
