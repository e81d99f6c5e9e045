import { defineAnalyzer, fmt, notApplicable, SCORE } from './define-analyzer.js';

/**
 * A rare class the model does not learn. Accuracy cannot show it (always answering the majority of a 95/5 set scores
 * 0.95), so this reads the training class shares and each class's recall on the evaluation rows. Imbalance alone is
 * not a fault (fraud data is imbalanced); a rare class whose rows the model mostly misses is (DeepCrime's TUD).
 */
export default defineAnalyzer({
  meta: {
    id: 'class-imbalance',
    title: 'Rare classes are learned',
    failureTitle: 'A rare class is not learned',
    description: 'When one class has far fewer training rows than another, a model can score a high accuracy by ignoring it. ' +
      'Per-class recall on the validation rows shows whether the rare classes are recognised at all.',
    requiredArtifacts: ['Data'],
    gateLevel: 'error',
  },
  thresholds: {
    rareShare: { default: 0.1, source: 'ours: a class with at most a tenth of the largest class\'s training rows (an order of magnitude; DeepCrime\'s TUD keeps 5% of a class, 20:1)' },
    failRecall: { default: 0.5, source: 'ours: the model misses most of the rare class\'s rows' },
    warnRecall: { default: 0.8, source: 'ours: it misses more than one rare row in five' },
  },
  run(artifacts, { thresholds }) {
    const priors = artifacts.data.targetSummary?.classPriors ?? null;
    if (artifacts.data.task !== 'classification' || !priors || priors.length < 2) return notApplicable('not a single-label classification');
    const recall = artifacts.evaluation?.classRecall;
    if (!recall) return notApplicable('no per-class recall recorded (artifacts from before it was, or a multi-label target)');
    const largest = Math.max(...priors);
    const rare = priors.flatMap((p, c) => (p > 0 && p <= thresholds.rareShare * largest ? [c] : []));
    const judged = rare.filter((c) => recall[c] !== null && recall[c] !== undefined);
    const worst = judged.length ? judged.reduce((a, c) => (recall[c]! < recall[a]! ? c : a)) : null;
    const worstRecall = worst === null ? null : recall[worst]!;
    const ratio = largest / Math.min(...priors.filter((p) => p > 0));
    const on = artifacts.evaluation?.on === 'all rows' ? 'all rows' : 'validation rows';
    let score: number = SCORE.pass;
    let display: string;
    if (rare.length === 0) {
      display = `largest to smallest class ${ratio.toFixed(1)}:1 in the training rows (rare means <= ${fmt.pct(thresholds.rareShare)} of the largest)`;
    } else if (worst === null) {
      display = `${rare.length} rare class${rare.length === 1 ? '' : 'es'} (${ratio.toFixed(0)}:1), none among the ${on}: recall not measured`;
    } else {
      score = worstRecall! < thresholds.failRecall ? 0.2 : worstRecall! < thresholds.warnRecall ? SCORE.warn : SCORE.pass;
      display = `class ${worst} has ${fmt.pct(priors[worst]!)} of the training rows (largest to smallest ${ratio.toFixed(0)}:1) ` +
        `and a recall of ${worstRecall!.toFixed(2)} on the ${on}`;
    }
    const poor = judged.filter((c) => recall[c]! < thresholds.warnRecall);
    return {
      score,
      numericValue: worstRecall,
      numericUnit: 'recall of the worst rare class',
      displayValue: display,
      affectedLayers: [],
      recommendation: score < 0.9
        ? `Rebalance the training rows: weight classes inversely to their share (Keras class_weight), oversample class${poor.length === 1 ? '' : 'es'} ` +
          `${poor.join(', ')}, or collect more of ${poor.length === 1 ? 'it' : 'them'}; judge the model by per-class recall, not accuracy.`
        : null,
      evidence: [{
        kind: 'table', title: 'Classes: training share and recall',
        columns: [{ key: 'class', label: 'Class' }, { key: 'share', label: 'Training share' }, { key: 'recall', label: `Recall (${on})` }],
        rows: priors.map((p, c) => ({ class: String(c), share: p, recall: recall[c] ?? null })),
        highlight: score < 0.9 ? poor : [],
      }],
    };
  },
});
