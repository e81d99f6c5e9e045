import { defineAnalyzer, fmt, notApplicable, SCORE } from './define-analyzer.js';
import { finalLoss, probeProgress, progressText } from './artifact-helpers.js';
import { chanceAccuracy, constantLoss, constantPredictorText, holds, modelAccuracy } from './baselines.js';

export default defineAnalyzer({
  meta: {
    id: 'underfitting',
    title: 'The model fits the training data',
    failureTitle: 'The model underfits',
    description: 'A training loss that stays near what a constant prediction scores means the model learned little of the signal: ' +
      'too little capacity, too few epochs, a bad learning rate or a broken network (dead or saturated units).',
    requiredArtifacts: ['Data'],
    gateLevel: 'error',
    after: ['task-setup'],
    repairs: ['add-hidden-layers', 'adam', 'lr-up', 'more-epochs'],
  },
  thresholds: {
    failLossRatio: { default: 0.85, source: 'ours, tuned on the fixtures: final training loss >= 85% of the constant predictor\'s loss (healthy fixtures: 2-11%)' },
    warnLossRatio: { default: 0.5, source: 'ours: loss down by less than half from the constant-predictor baseline' },
    failSkill: { default: 0.3, source: 'ours: training accuracy under 30% of the way from chance to perfect (healthy fixtures: > 0.8; a linear model on spirals: 0.23)' },
    warnSkill: { default: 0.5, source: 'ours: under half-way from chance to perfect' },
    stalledProgress: { default: 0.1, source: 'ours, from the fault benchmark\'s tuning half: a loss above half the constant predictor\'s that also fell by under 10% over the run (probe loss) is not going anywhere (lr / 1000, SGD at 1e-4)' },
  },
  run(artifacts, { thresholds, findings }) {
    const trivial = constantLoss(artifacts);
    if (trivial === null) return notApplicable(`no constant-predictor baseline for loss ${artifacts.model.loss ?? '(none recorded)'}`);
    if (trivial <= 0) {
      return notApplicable(`a constant predictor already scores a loss of ${fmt.sci(trivial)}` +
        (holds(findings, 'task-setup') ? ': the targets do not fit the loss (see task-setup)' : ''));
    }
    const h = artifacts.history;
    const loss = h?.series['loss'];
    // Without history (a loaded model), judge the probe loss of the saved weights.
    const final = finalLoss(artifacts);
    if (final === null) return notApplicable(loss ? 'the training loss is not finite' : 'no training history or probe loss');
    if (final < 0) {
      return notApplicable(`the loss is negative (${fmt.sci(final)}), so it cannot be compared with a constant predictor` +
        (holds(findings, 'task-setup') ? ': the targets do not fit the loss (see task-setup)' : ''));
    }
    const ratio = final / trivial;
    const measured = modelAccuracy(artifacts);
    const acc = measured?.value ?? null;
    const chance = chanceAccuracy(artifacts);
    const skill = acc !== null && chance !== null && chance < 1 ? (acc - chance) / (1 - chance) : null;
    const nearChance = skill !== null && skill < thresholds.failSkill;
    const lowSkill = skill !== null && skill < thresholds.warnSkill;
    const progress = probeProgress(artifacts);
    const stalled = ratio >= thresholds.warnLossRatio && progress !== null && progress < thresholds.stalledProgress;
    const score = ratio >= thresholds.failLossRatio || nearChance || stalled ? 0.2 : ratio >= thresholds.warnLossRatio || lowSkill ? SCORE.warn : SCORE.pass;
    const what = loss ? 'training loss' : 'probe loss of the saved weights';
    const parts = [`${what} ${fmt.sci(final)} is ${fmt.pct(ratio)} of the constant predictor's ${fmt.sci(trivial)}${artifacts.data.targetSummary ? ` (${constantPredictorText(artifacts)})` : ''}`];
    if (acc !== null && chance !== null) parts.push(`${measured!.on === 'training' ? 'training' : 'evaluated'} accuracy ${acc.toFixed(2)} vs chance ${chance.toFixed(2)}`);
    if (stalled) parts.push(`the probe loss ${progressText(progress!)} over the run`);
    const epochs = h?.epochs.length ?? 0;
    return {
      score,
      numericValue: ratio,
      numericUnit: 'final training loss / constant-predictor loss',
      displayValue: parts.join('; '),
      affectedLayers: [],
      recommendation: score < 0.9
        ? `Add capacity (more units or layers with a non-linear activation: the model has ${artifacts.model.trainableParams} parameters), ` +
          `train longer (${epochs} epochs so far), tune the learning rate, and check the dead-relu and saturation findings: ` +
          'a broken layer makes any model underfit.'
        : null,
      evidence: loss && h ? [{
        kind: 'series', title: 'Training loss vs constant-predictor loss', xLabel: 'epoch', yLabel: 'loss', logY: false, x: h.epochs,
        series: [{ name: 'train loss', values: loss }, { name: 'constant predictor', values: h.epochs.map(() => trivial) }],
        markers: [], regions: [],
      }] : [],
    };
  },
});
