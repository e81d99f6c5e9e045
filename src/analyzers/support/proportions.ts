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
export function classTally(
  recall: ReadonlyArray<number | null | undefined>,
  counts: readonly number[],
  classes: readonly number[],
): Tally {
  return sumTallies(
    classes.flatMap((c) => {
      const r = recall[c];
      const n = counts[c] ?? 0;
      return n > 0 && r !== null && r !== undefined ? [{ hits: Math.round(r * n), rows: n }] : [];
    }),
  );
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

/**
 * The same question asked within strata and combined: how far `low` lies below `high` inside each stratum (a class), as
 * the Cochran-Mantel-Haenszel z statistic (Mantel and Haenszel, JNCI 1959; Agresti, Categorical Data Analysis, 6.3.2):
 * the sum over strata of high's hits minus their expectation under no difference, over the square root of the summed
 * hypergeometric variances. Unlike zBelow on the pooled tallies, a different mix of strata between the two groups (a
 * validation split richer in an easy class) is not read as a difference. Strata with no rows on one side, or with
 * every row right or wrong, add nothing.
 */
export function stratifiedZBelow(strata: ReadonlyArray<{ low: Tally; high: Tally }>): number {
  let excess = 0;
  let variance = 0;
  for (const { low, high } of strata) {
    const n = low.rows + high.rows;
    if (low.rows === 0 || high.rows === 0 || n < 2) continue;
    const hits = low.hits + high.hits;
    excess += high.hits - (high.rows * hits) / n;
    variance += (low.rows * high.rows * hits * (n - hits)) / (n * n * (n - 1));
  }
  return variance > 0 ? excess / Math.sqrt(variance) : 0;
}

/**
 * McNemar's test for two answers on the same rows: `onlyFirst` rows only the first got right, `onlyOther` only the
 * other. How many standard errors the first is ahead, with Edwards' continuity correction, (b - c - 1) / sqrt(b + c)
 * (McNemar, Psychometrika 1947; Agresti, Categorical Data Analysis, 10.1); 0 when the first is not ahead.
 */
export function mcNemarZ(onlyFirst: number, onlyOther: number): number {
  const discordant = onlyFirst + onlyOther;
  return onlyFirst > onlyOther && discordant > 0 ? (onlyFirst - onlyOther - 1) / Math.sqrt(discordant) : 0;
}

/**
 * P[Binomial(n, p) <= hits]: how often `hits` or fewer of n rows would be right if each were right with chance p
 * (exact, summed term by term; n is a class's validation rows, so small).
 */
export function binomialAtMost(n: number, hits: number, p: number): number {
  if (hits >= n) return 1;
  if (hits < 0) return 0;
  let term = (1 - p) ** n; // k = 0
  let sum = term;
  for (let k = 1; k <= hits; k++) {
    term *= ((n - k + 1) / k) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * Balanced recall as skill: the mean of the per-class recalls, measured from the 1/K every constant predictor scores
 * however imbalanced the rows, (mean - 1/K) / (1 - 1/K); 0 at chance, 1 when every class is recalled. null with
 * fewer than two classes.
 */
export function balancedSkill(recalls: readonly number[]): number | null {
  const k = recalls.length;
  if (k < 2) return null;
  return (recalls.reduce((a, b) => a + b, 0) / k - 1 / k) / (1 - 1 / k);
}
