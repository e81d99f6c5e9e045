import type { NeighbourFit, ValidationVote } from '../../artifacts/schema.js';
import { type Dataset, rowCount, rowWidth, targetWidth } from '../data/dataset.js';
import { columnStats, standardize, type Standardized } from './fit-rows.js';

/**
 * A second reference for how closely the training rows can be fit, beside the linear model: a k-nearest-neighbour
 * vote on the standardized training rows, each row left out of its own vote (leave-one-out), so the vote cannot
 * memorize. Where it answers clearly more training rows right than the network does, the data allows a closer fit
 * than the run found: the network stopped early or trains badly (underfitting reads it). Plain float64 arithmetic, no
 * randomness: the same rows give the same answer on every backend.
 *
 * It is paired with the network row by row (McNemar's test): `neighbourOnly` rows only the vote answers right,
 * `networkOnly` rows only the network does.
 */

/** Votes per row: scikit-learn's KNeighborsClassifier default (n_neighbors=5). */
export const NEIGHBOURS = 5;
/** Rows used (the first rows of the already shuffled training split). */
const MAX_ROWS = 3000;
/** Above this many features the vote is skipped: distances in raw pixel space say little, and cost much. */
const MAX_FEATURES = 1024;
/**
 * rows^2 x features stays under this; rows are cut to fit it. Churn's 3,000 rows x 13 features (1.2e8) take 0.1-0.25 s,
 * as do the 618 rows a 784-pixel image gets (3e8), on one busy core of this machine.
 */
const WORK_BUDGET = 3e8;
/** Fewer rows than this say nothing about the data. */
const MIN_ROWS = 20;

/** Rows a vote of every row against every other (rows^2 x d within WORK_BUDGET) may use, at most MAX_ROWS. */
function squareCap(d: number): number {
  return Math.min(MAX_ROWS, Math.floor(Math.sqrt(WORK_BUDGET / Math.max(1, d))));
}

export const NEIGHBOUR_FIT_METHOD = `${NEIGHBOURS}-nearest-neighbour vote on standardized features, each row left out of its own vote`;

function skipped(reason: string, rows: number, features: number): NeighbourFit {
  return {
    method: NEIGHBOUR_FIT_METHOD,
    k: NEIGHBOURS,
    rows,
    features,
    accuracy: null,
    networkAccuracy: null,
    neighbourOnly: null,
    networkOnly: null,
    ms: 0,
    skipped: reason,
  };
}

/**
 * The vote's leave-one-out answer for each of the n rows: the class most of the k nearest other rows hold (squared
 * Euclidean distance); a tie goes to the tied class whose member is nearest.
 */
export function leaveOneOutVotes(s: Standardized, y: ArrayLike<number>, k = NEIGHBOURS): Int32Array {
  return nearestVotes(s, y, s, k, true);
}

/**
 * The vote of the `reference` rows (classes `y`) for each `query` row: the class most of its k nearest reference rows
 * hold; with `leaveOut` the query rows are the reference rows and each is left out of its own vote.
 */
function nearestVotes(
  reference: Standardized,
  y: ArrayLike<number>,
  query: Standardized,
  k: number,
  leaveOut: boolean,
): Int32Array {
  const { x, n, d } = reference;
  const q = query.x;
  const answer = new Int32Array(query.n);
  const nearest = { dist: new Float64Array(k), label: new Int32Array(k), filled: 0 };
  const offer = (i: number, j: number, sum: number) => {
    if (!(leaveOut && j === i)) keepNearest(nearest, k, sum, y[j]!);
  };
  for (let i = 0; i < query.n; i++) {
    nearest.filled = 0;
    const qi = i * d;
    // Four reference rows at a time: four independent running sums. One sum is a chain of dependent float64 adds
    // (1.4 ns a feature); four keep the core busy (about 3x faster). Each sum still adds its features in order, so
    // every distance, and so every vote, is the same to the last bit as one row at a time.
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const r0 = j * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let c = 0; c < d; c++) {
        const v = q[qi + c]!;
        const e0 = v - x[r0 + c]!;
        const e1 = v - x[r1 + c]!;
        const e2 = v - x[r2 + c]!;
        const e3 = v - x[r3 + c]!;
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      offer(i, j, s0);
      offer(i, j + 1, s1);
      offer(i, j + 2, s2);
      offer(i, j + 3, s3);
    }
    for (; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) {
        const diff = q[qi + c]! - x[j * d + c]!;
        sum += diff * diff;
      }
      offer(i, j, sum);
    }
    const { label, filled } = nearest;
    const votes = new Map<number, number>();
    for (let t = 0; t < filled; t++) votes.set(label[t]!, (votes.get(label[t]!) ?? 0) + 1);
    const most = Math.max(...votes.values());
    // The nearest neighbour whose class has the most votes: ties go to the closer class.
    let best = label[0]!;
    for (let t = 0; t < filled; t++)
      if (votes.get(label[t]!) === most) {
        best = label[t]!;
        break;
      }
    answer[i] = best;
  }
  return answer;
}

/** Offers a row at distance `sum` to the k nearest so far, kept sorted by distance (ties keep the earlier row first). */
function keepNearest(
  nearest: { dist: Float64Array; label: Int32Array; filled: number },
  k: number,
  sum: number,
  label: number,
): void {
  const { dist } = nearest;
  if (nearest.filled === k && sum >= dist[k - 1]!) return;
  let at = nearest.filled < k ? nearest.filled++ : k - 1;
  while (at > 0 && dist[at - 1]! > sum) {
    dist[at] = dist[at - 1]!;
    nearest.label[at] = nearest.label[at - 1]!;
    at--;
  }
  dist[at] = sum;
  nearest.label[at] = label;
}

/**
 * Why these rows get no vote whatever their count (a regression or multi-label target, too many features), or null:
 * a caller that must predict the network's answers first (the library callback) asks before it does.
 */
export function neighbourVoteSkip(train: Dataset): string | null {
  const d = rowWidth(train);
  if (train.task !== 'classification') return 'regression targets: no vote to compare';
  if (train.multiLabel || targetWidth(train) !== 1) return 'multi-label targets: no single class to vote on';
  if (d > MAX_FEATURES) return `${d} features is more than the ${MAX_FEATURES} a neighbour vote is made for`;
  return null;
}

/**
 * The vote on the training rows, paired with the network's answers on the same rows (`networkCorrect[i]` is 1 when
 * the network answered row i with its label, in the training rows' order). Single-label classification only.
 */
export function fitNeighbours(train: Dataset, networkCorrect: ArrayLike<number>): NeighbourFit {
  const t0 = performance.now();
  const d = rowWidth(train);
  const total = rowCount(train);
  const skip = neighbourVoteSkip(train);
  if (skip !== null) return skipped(skip, 0, d);
  const n = Math.min(total, networkCorrect.length, squareCap(d));
  if (n < MIN_ROWS)
    return skipped(`${n} rows are too few for a neighbour vote that says something about the data`, n, d);
  const { mean, std } = columnStats(train.x, n, d);
  const votes = leaveOneOutVotes(standardize(train.x, n, d, mean, std), train.y);
  let hits = 0;
  let networkHits = 0;
  let neighbourOnly = 0;
  let networkOnly = 0;
  for (let i = 0; i < n; i++) {
    const vote = votes[i] === train.y[i];
    const net = networkCorrect[i] === 1;
    if (vote) hits++;
    if (net) networkHits++;
    if (vote && !net) neighbourOnly++;
    if (net && !vote) networkOnly++;
  }
  return {
    method: NEIGHBOUR_FIT_METHOD,
    k: NEIGHBOURS,
    rows: n,
    features: d,
    accuracy: hits / n,
    networkAccuracy: networkHits / n,
    neighbourOnly,
    networkOnly,
    ms: performance.now() - t0,
    skipped: null,
  };
}

export const VALIDATION_VOTE_METHOD =
  `${NEIGHBOURS}-nearest-neighbour vote of the validation rows (standardized as the training rows), ` +
  'for each training row and, each left out of its own vote, each validation row';

/** Per class, rows and how many of them the vote answers with their own label. */
function tallyByClass(votes: Int32Array, y: ArrayLike<number>, classes: number): { counts: number[]; agree: number[] } {
  const counts = Array<number>(classes).fill(0);
  const agree = Array<number>(classes).fill(0);
  for (let i = 0; i < votes.length; i++) {
    const c = y[i]!;
    counts[c]!++;
    if (votes[i] === c) agree[c]!++;
  }
  return { counts, agree };
}

/**
 * A check of the training labels that does not depend on the network: the validation rows vote, by their own labels,
 * on each training row and (leaving each out) on each other. Where the two splits are random shares of the same rows,
 * the vote agrees with a training row's label as often as with a validation row's, class by class; training labels
 * changed after the split (a share relabelled, a mapping applied to the training data only) are agreed with less
 * often, however closely the network memorized them. label-noise reads it beside the network's own answers.
 */
export function voteFromValidation(train: Dataset, validation: Dataset): ValidationVote {
  const t0 = performance.now();
  const d = rowWidth(train);
  const empty = {
    method: VALIDATION_VOTE_METHOD,
    k: NEIGHBOURS,
    features: d,
    trainCounts: [],
    trainAgree: [],
    validationCounts: [],
    validationAgree: [],
    ms: 0,
  };
  const skip = neighbourVoteSkip(train);
  if (skip !== null) return { ...empty, skipped: skip };
  const nv = Math.min(rowCount(validation), squareCap(d));
  if (nv < MIN_ROWS)
    return { ...empty, skipped: `${nv} validation rows are too few for a vote that says something about the labels` };
  const nt = Math.min(rowCount(train), MAX_ROWS, Math.floor(WORK_BUDGET / Math.max(1, d) / nv));
  const { mean, std } = columnStats(train.x, nt, d);
  const reference = standardize(validation.x, nv, d, mean, std);
  // Either split may hold a class the other lacks (a validation split without the rare class, or the reverse).
  const classes = Math.max(train.numClasses, validation.numClasses, 1);
  const onTraining = tallyByClass(
    nearestVotes(reference, validation.y, standardize(train.x, nt, d, mean, std), NEIGHBOURS, false),
    train.y,
    classes,
  );
  const onValidation = tallyByClass(
    nearestVotes(reference, validation.y, reference, NEIGHBOURS, true),
    validation.y,
    classes,
  );
  return {
    ...empty,
    trainCounts: onTraining.counts,
    trainAgree: onTraining.agree,
    validationCounts: onValidation.counts,
    validationAgree: onValidation.agree,
    ms: performance.now() - t0,
    skipped: null,
  };
}
