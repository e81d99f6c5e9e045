import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { trainedHere } from './support/artifact-helpers.js';
import { balancedSkill, classTally, share, stratifiedZBelow, sumTallies, type Tally } from './support/proportions.js';
import type { Artifacts, ValidationVote } from '../artifacts/schema.js';
import type { Evidence } from '../result/evidence.js';

/**
 * Training labels noisier than the validation labels (DeepCrime's TCL: a share of the training rows given another
 * class). A model answers the rows it was fit on at least as well as new rows; after training, with its final weights
 * and no dropout (gather's evaluation, not the epoch's running metric), a model that agrees with its training labels
 * clearly less often than with the validation labels was taught labels that disagree with the inputs. Label noise
 * spread evenly over both splits does not show here: it shows only through its effects (underfitting).
 */
export default defineAnalyzer({
  meta: {
    id: 'label-noise',
    title: 'The training rows are fit at least as well as new rows',
    failureTitle: 'The training labels look noisier than the validation labels',
    description:
      'After training, a model should agree with the labels of the rows it was fit on at least as often as with the ' +
      "labels of rows it never saw, and the nearest validation rows should agree with a training row's label as often as with a " +
      "validation row's. When either agrees clearly less often with the training rows, a share of the training labels " +
      'is likely wrong (label noise, a labelling or mapping bug in the training data only), or the validation rows are not a random share.',
    requiredArtifacts: ['Data'],
    gateLevel: 'error',
  },
  thresholds: {
    failGap: {
      default: 0.1,
      source:
        "ours: the training rows answered with their label at least 10 points less often than the validation rows (healthy models fit their training rows better, not worse; DeepCrime's TCL relabels 40%)",
    },
    warnGap: { default: 0.05, source: 'ours: half of failGap' },
    minSkill: {
      default: 0.3,
      source:
        "underfitting's failSkill: a model whose validation balanced recall is under 30% of the way from chance (1/K) to perfect " +
        "has learned too little for its answers on the training rows to speak for their labels (the fault benchmark's set 10: an " +
        'untrained circles model, lr / 1000, at 0.17, its training rows 2.9 standard errors behind by chance of where its boundary fell; ' +
        'the label-noise cases of sets 8-10 at 0.53-0.99)',
    },
    minZ: {
      default: 3.09,
      source:
        'one-sided 0.1% critical value of the Cochran-Mantel-Haenszel test over the classes (Agresti, Categorical Data Analysis, 6.3.2). ' +
        "At 1% (2.326) the fault benchmark's sets 8-12 showed about one false attribution per 300-case set: diverged or weak models " +
        '(momentum 0.99 at lr 0.5, lr / 1000, one epoch) and one clean model at 1.9-2.9 standard errors, where the split, not the labels, ' +
        'decided. One level for fail and warn: a warning that names the wrong cause misleads as much as a failure',
    },
  },
  run(artifacts, { thresholds }) {
    const e = artifacts.evaluation;
    if (artifacts.data.task !== 'classification') return notApplicable('not a classification');
    // A saved model audited as saved was fit on other rows: this split's "training rows" are new to it as well.
    if (!trainedHere(artifacts))
      return notApplicable('the audit did not train the model, so no rows here are rows it was fit on');
    // The network's reading needs its answers on both splits; the vote needs only the rows (the library callback has no evaluation).
    const network =
      e && e.on === 'validation'
        ? readNetwork(e, thresholds.minSkill)
        : { name: NETWORK, reason: 'no validation rows to compare the training rows with' };
    const vote = readVote(artifacts.data.validationVote);
    if (!network.strata && !vote.strata) return notApplicable(network.reason);
    const judged = [network, vote]
      .filter((r): r is Reading & Compared => r.strata !== undefined)
      .map((r) => ({ ...r, score: scoreOf(r, thresholds) }));
    // The reading that speaks most against the labels leads: the lower score, then the larger gap.
    const lead = judged.slice().sort((a, b) => a.score - b.score || b.gap - a.gap)[0]!;
    const score = lead.score;
    // The classes whose training rows are answered worse than their validation rows, worst first: where to look.
    const worse = lead.strata
      .filter((s) => share(s.high)! - share(s.low)! >= thresholds.warnGap)
      .sort((a, b) => share(b.high)! - share(b.low)! - (share(a.high)! - share(a.low)!))
      .map((s) => s.c);
    // The other reading, when it was made, follows: a user sees both sides before checking labels by hand.
    const rest = judged.filter((r) => r.name !== lead.name);
    return {
      score,
      numericValue: lead.gap,
      numericUnit: `validation - training, the mean over the classes: ${lead.unit}`,
      displayValue: [lead, ...rest].map(describe).join('; '),
      affectedLayers: [],
      recommendation:
        score < 0.9
          ? `Check the training labels${worse.length ? ` (classes ${worse.join(', ')} first)` : ''}: ${lead.why}, ` +
            'so a share of the training labels likely disagrees with the inputs. Look for a relabelling or class-order mapping applied to the ' +
            "training data only, noisy annotation, or rows duplicated with different labels; cleanlab's find_label_issues ranks the suspect rows. " +
            'If the labels are right, the validation rows are not a random share of the data: shuffle before splitting.'
          : null,
      // The leading reading's table first: the one the measured text and the recommendation speak from.
      evidence: [lead, ...rest].map((r) => table(r, r === lead && score < 0.9 ? worse : [])),
    };
  },
});

/** One class's training rows (`low`) and validation rows (`high`): how many of each were answered with their label. */
interface Stratum {
  c: number;
  low: Tally;
  high: Tally;
}
interface Reading {
  name: string;
  /** Why this reading says nothing here; absent when it was made. */
  reason: string;
  strata?: Stratum[];
}
interface Compared {
  strata: Stratum[];
  /** The validation share minus the training share, the mean over the classes. */
  gap: number;
  z: number;
  unit: string;
  /** What a healthy split shows, for the recommendation. */
  why: string;
}

/** The gap and the Cochran-Mantel-Haenszel z of per-class strata (classes with rows on both splits). */
function compare(reading: Reading & { strata: Stratum[] }, unit: string, why: string): Reading & Compared {
  const strata = reading.strata.filter((s) => s.low.rows > 0 && s.high.rows > 0);
  // Each class counts alike, as balanced recall does: weighted by rows, a rare class whose training labels are mostly
  // wrong hardly moves the gap (the fault benchmark's noisy churn, 80% of its validation rows in class 0: 4-8 points
  // weighted by rows at 4-8 standard errors). The test (z) is the one that decides whether the gap is more than chance.
  const gap = strata.length > 0 ? strata.reduce((a, s) => a + share(s.high)! - share(s.low)!, 0) / strata.length : 0;
  return { ...reading, strata, gap, z: stratifiedZBelow(strata), unit, why };
}

/**
 * The trained network's own answers: with its final weights and no dropout, a model answers the rows it was fit on at
 * least as well as new rows. Class by class: the two splits hold the classes in different shares (a validation split
 * richer in an easy class scores higher overall with no noise at all: set 8's iris, 47% of its validation rows in class
 * 0, 29% of its training rows), so each class's training rows are compared with its own validation rows.
 */
function readNetwork(e: NonNullable<Artifacts['evaluation']>, minSkill: number): Reading & Partial<Compared> {
  const name = NETWORK;
  if (!e.classRecall || !e.classCounts || !e.trainClassRecall || !e.trainClassCounts) {
    return {
      name,
      reason: 'no per-class recall on both splits (a multi-label target, or artifacts from before it was recorded)',
    };
  }
  const classes = Array.from({ length: Math.max(e.classCounts.length, e.trainClassCounts.length) }, (_, c) => c);
  // Near chance on the validation rows, the model knows too little for its training rows' answers to say anything about their labels.
  const recalls = classes.flatMap((c) =>
    (e.classCounts![c] ?? 0) > 0 && typeof e.classRecall![c] === 'number' ? [e.classRecall![c]!] : [],
  );
  const skill = balancedSkill(recalls);
  if (skill !== null && skill < minSkill) {
    return {
      name,
      reason:
        `the model is near chance on the validation rows (balanced recall ${fmt.pct(skill)} of the way from chance to perfect): ` +
        'it has learned too little for its answers to speak for the labels',
    };
  }
  const strata = classes.map((c) => ({
    c,
    low: classTally(e.trainClassRecall!, e.trainClassCounts!, [c]),
    high: classTally(e.classRecall!, e.classCounts!, [c]),
  }));
  if (!strata.some((s) => s.low.rows > 0 && s.high.rows > 0))
    return { name, reason: 'no class has rows on both splits' };
  return compare(
    { name, reason: '', strata },
    "the network's answers (final weights, no dropout)",
    'a model fits the rows it learned from at least as well as new rows',
  );
}

/**
 * The validation rows' neighbour vote (gather's voteFromValidation): it does not depend on the network, so it still
 * speaks when the network memorized the changed labels (the fault benchmark's noisy wine, iris and breast cancer,
 * fit to 57-82% of a constant predictor's loss with their training rows answered no worse than new ones).
 */
export function readVote(v: ValidationVote | undefined): Reading & Partial<Compared> {
  const name = "the validation rows' vote";
  if (!v) return { name, reason: 'not recorded' };
  if (v.skipped !== null) return { name, reason: v.skipped };
  const strata = v.validationCounts.map((rows, c) => ({
    c,
    low: { hits: v.trainAgree[c] ?? 0, rows: v.trainCounts[c] ?? 0 },
    high: { hits: v.validationAgree[c] ?? 0, rows },
  }));
  if (!strata.some((s) => s.low.rows > 0 && s.high.rows > 0))
    return { name, reason: 'no class has rows on both splits' };
  return compare(
    { name, reason: '', strata },
    `the ${v.k} nearest validation rows' vote`,
    "the nearest validation rows agree with a training row's label as often as with a validation row's when both splits are random shares of the same data",
  );
}

const NETWORK = 'the network';
const isNetwork = (r: Reading): boolean => r.name === NETWORK;

/** The training rows and the validation rows over every compared class. */
function totals(r: Compared): { train: Tally; validation: Tally } {
  return { train: sumTallies(r.strata.map((s) => s.low)), validation: sumTallies(r.strata.map((s) => s.high)) };
}

function scoreOf(r: Compared, thresholds: { failGap: number; warnGap: number; minZ: number }): number {
  return r.z < thresholds.minZ
    ? SCORE.pass
    : r.gap >= thresholds.failGap
      ? SCORE.fail
      : r.gap >= thresholds.warnGap
        ? SCORE.warn
        : SCORE.pass;
}

function describe(r: Reading & Compared): string {
  const { train, validation } = totals(r);
  const lead = isNetwork(r)
    ? `with its final weights the model answers ${fmt.pct(share(train)!)} of its ${train.rows} training rows with their label and ${fmt.pct(share(validation)!)} of the ${validation.rows} validation rows`
    : `${r.name} agrees with ${fmt.pct(share(train)!)} of ${train.rows} training labels and ${fmt.pct(share(validation)!)} of ${validation.rows} validation labels`;
  const more = isNetwork(r) ? 'of the rows it never saw' : 'of the validation rows';
  return (
    lead +
    (r.gap >= 0.005
      ? `; on average over the classes, ${(100 * r.gap).toFixed(0)} points more ${more} (${r.z.toFixed(1)} standard errors)`
      : '')
  );
}

function table(r: Reading & Compared, highlight: number[]): Evidence {
  const { train, validation } = totals(r);
  const byNetwork = isNetwork(r);
  return {
    kind: 'table',
    title: byNetwork
      ? 'Per class: share answered with its label by the network, training rows vs validation rows (final weights)'
      : 'Per class: share whose label the nearest validation rows agree with, training rows vs validation rows',
    columns: [
      { key: 'class', label: 'Class' },
      { key: 'trainRows', label: 'Training rows' },
      { key: 'trainRecall', label: byNetwork ? 'Training recall' : 'Training agreement' },
      { key: 'rows', label: 'Validation rows' },
      { key: 'recall', label: byNetwork ? 'Validation recall' : 'Validation agreement' },
    ],
    rows: [
      ...r.strata.map((s) => ({
        class: String(s.c),
        trainRows: s.low.rows,
        trainRecall: share(s.low),
        rows: s.high.rows,
        recall: share(s.high),
      })),
      {
        class: 'all',
        trainRows: train.rows,
        trainRecall: share(train),
        rows: validation.rows,
        recall: share(validation),
      },
    ],
    highlight,
  };
}
