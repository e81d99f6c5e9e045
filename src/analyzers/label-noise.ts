import { defineAnalyzer, fmt, notApplicable, SCORE } from './define-analyzer.js';
import { trainedHere } from './artifact-helpers.js';
import { balancedSkill, classTally, share, stratifiedZBelow } from './proportions.js';

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
    description: 'After training, a model should agree with the labels of the rows it was fit on at least as often as with the ' +
      'labels of rows it never saw. When it agrees clearly less often with its own training rows, a share of the training labels ' +
      'is likely wrong (label noise, a labelling or mapping bug in the training data only), or the validation rows are not a random share.',
    requiredArtifacts: ['Data'],
    gateLevel: 'error',
  },
  thresholds: {
    failGap: { default: 0.1, source: 'ours: the training rows answered with their label at least 10 points less often than the validation rows (healthy models fit their training rows better, not worse; DeepCrime\'s TCL relabels 40%)' },
    warnGap: { default: 0.05, source: 'ours: half of failGap' },
    minSkill: {
      default: 0.3,
      source: 'underfitting\'s failSkill: a model whose validation balanced recall is under 30% of the way from chance (1/K) to perfect ' +
        'has learned too little for its answers on the training rows to speak for their labels (the fault benchmark\'s set 10: an ' +
        'untrained circles model, lr / 1000, at 0.17, its training rows 2.9 standard errors behind by chance of where its boundary fell; ' +
        'the label-noise cases of sets 8-10 at 0.53-0.99)',
    },
    minZ: {
      default: 3.09,
      source: 'one-sided 0.1% critical value of the Cochran-Mantel-Haenszel test over the classes (Agresti, Categorical Data Analysis, 6.3.2). ' +
        'At 1% (2.326) the fault benchmark\'s sets 8-12 showed about one false attribution per 300-case set: diverged or weak models ' +
        '(momentum 0.99 at lr 0.5, lr / 1000, one epoch) and one clean model at 1.9-2.9 standard errors, where the split, not the labels, ' +
        'decided. One level for fail and warn: a warning that names the wrong cause misleads as much as a failure'
    },
  },
  run(artifacts, { thresholds }) {
    const e = artifacts.evaluation;
    if (artifacts.data.task !== 'classification') return notApplicable('not a classification');
    // A saved model audited as saved was fit on other rows: this split's "training rows" are new to it as well.
    if (!trainedHere(artifacts)) return notApplicable('the audit did not train the model, so no rows here are rows it was fit on');
    if (!e || e.on !== 'validation') return notApplicable('no validation rows to compare the training rows with');
    if (!e.classRecall || !e.classCounts || !e.trainClassRecall || !e.trainClassCounts) {
      return notApplicable('no per-class recall on both splits (a multi-label target, or artifacts from before it was recorded)');
    }
    const classes = Array.from({ length: Math.max(e.classCounts.length, e.trainClassCounts.length) }, (_, c) => c);
    // Near chance on the validation rows, the model knows too little for its training rows' answers to say anything about their labels.
    const recalls = classes.flatMap((c) => ((e.classCounts![c] ?? 0) > 0 && typeof e.classRecall![c] === 'number' ? [e.classRecall![c]!] : []));
    const skill = balancedSkill(recalls);
    if (skill !== null && skill < thresholds.minSkill) {
      return notApplicable(`the model is near chance on the validation rows (balanced recall ${fmt.pct(skill)} of the way from chance to perfect): ` +
        'it has learned too little for its answers to speak for the labels');
    }
    const train = classTally(e.trainClassRecall, e.trainClassCounts, classes);
    const validation = classTally(e.classRecall, e.classCounts, classes);
    const trainShare = share(train);
    const validationShare = share(validation);
    if (trainShare === null || validationShare === null) return notApplicable('no rows with a recall on one of the splits');
    // Class by class: the two splits hold the classes in different shares (a validation split richer in an easy class
    // scores higher overall with no noise at all: set 8's iris, 47% of its validation rows in class 0, 29% of its
    // training rows), so the gap and the test compare each class's training rows with its own validation rows.
    const strata = classes.map((c) => ({ c, low: classTally(e.trainClassRecall!, e.trainClassCounts!, [c]), high: classTally(e.classRecall!, e.classCounts!, [c]) }))
      .filter((s) => s.low.rows > 0 && s.high.rows > 0);
    const weight = strata.reduce((a, s) => a + s.high.rows, 0);
    if (weight === 0) return notApplicable('no class has rows on both splits');
    // The training recall re-weighted to the validation rows' class mix, against the validation accuracy.
    const gap = strata.reduce((a, s) => a + s.high.rows * (share(s.high)! - share(s.low)!), 0) / weight;
    const z = stratifiedZBelow(strata);
    const score = z < thresholds.minZ ? SCORE.pass : gap >= thresholds.failGap ? SCORE.fail : gap >= thresholds.warnGap ? SCORE.warn : SCORE.pass;
    // The classes whose training rows are answered worse than their validation rows, worst first: where to look.
    const worse = strata.filter((s) => share(s.high)! - share(s.low)! >= thresholds.warnGap)
      .sort((a, b) => (share(b.high)! - share(b.low)!) - (share(a.high)! - share(a.low)!)).map((s) => s.c);
    const display = `with its final weights the model answers ${fmt.pct(trainShare)} of its ${train.rows} training rows with their label ` +
      `and ${fmt.pct(validationShare)} of the ${validation.rows} validation rows` +
      (gap >= 0.005 ? `; class by class, ${(100 * gap).toFixed(0)} points more of the rows it never saw (${z.toFixed(1)} standard errors)` : '');
    return {
      score,
      numericValue: gap,
      numericUnit: 'validation recall - training recall, per class, weighted by the validation rows (final weights, no dropout)',
      displayValue: display,
      affectedLayers: [],
      recommendation: score < 0.9
        ? `Check the training labels${worse.length ? ` (classes ${worse.join(', ')} first)` : ''}: a model fits the rows it learned from at least as well as new rows, ` +
          'so a share of the training labels likely disagrees with the inputs. Look for a relabelling or class-order mapping applied to the ' +
          'training data only, noisy annotation, or rows duplicated with different labels; cleanlab\'s find_label_issues ranks the suspect rows. ' +
          'If the labels are right, the validation rows are not a random share of the data: shuffle before splitting.'
        : null,
      evidence: [{
        kind: 'table',
        title: 'Per class: share answered with its label, training rows vs validation rows (final weights)',
        columns: [
          { key: 'class', label: 'Class' }, { key: 'trainRows', label: 'Training rows' }, { key: 'trainRecall', label: 'Training recall' },
          { key: 'rows', label: 'Validation rows' }, { key: 'recall', label: 'Validation recall' },
        ],
        rows: [
          ...classes.map((c) => ({ class: String(c), trainRows: e.trainClassCounts![c] ?? 0, trainRecall: e.trainClassRecall![c] ?? null, rows: e.classCounts![c] ?? 0, recall: e.classRecall![c] ?? null })),
          { class: 'all', trainRows: train.rows, trainRecall: trainShare, rows: validation.rows, recall: validationShare },
        ],
        highlight: score < 0.9 ? worse : [],
      }],
    };
  },
});
