import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { INPUT_SCALE_EFFECTS } from './support/cross-references.js';

/** Failures that large inputs commonly cause; at warn-level scales (10-100) one of them failing makes this a failure too. */
const EFFECTS = [...INPUT_SCALE_EFFECTS];

export default defineAnalyzer({
  meta: {
    id: 'unnormalized-inputs',
    title: 'Inputs are on a sensible scale',
    failureTitle: 'Inputs are far outside [-1, 1]',
    description:
      "Large raw inputs make the first layer's pre-activations and gradients large: sigmoid/tanh units saturate, " +
      'ReLU units die, and the learning rate that suits one feature is wrong for another.',
    requiredArtifacts: ['Data'],
    gateLevel: 'warn',
    after: EFFECTS,
    failFast: { probes: 1, reason: 'the input scale is fixed by the data: training cannot change it' },
    repairs: ['standardize-inputs'],
  },
  thresholds: {
    warnAbs: {
      default: 10,
      source: 'ours: an order of magnitude beyond the [-1, 1] that glorot/he initializations assume',
    },
    failAbs: {
      default: 100,
      source: 'ours: two orders of magnitude (the AUTOTRAINER blob/circle inputs are scaled x100 to provoke failures)',
    },
  },
  run(artifacts, { thresholds, findings }) {
    const r = artifacts.data.featureRange;
    if (artifacts.model.source === 'callback') return notApplicable('the callback does not see the raw inputs');
    const first = artifacts.model.layers.find((l) => l.className !== 'InputLayer');
    // A first BatchNormalization/Normalization/Rescaling layer scales the inputs inside the model.
    if (first && /BatchNormalization|Normalization|Rescaling/.test(first.className))
      return notApplicable(`${first.name} normalizes the inputs inside the model`);
    if (artifacts.data.normalize !== 'none')
      return notApplicable(`inputs are normalized by the spec (${artifacts.data.normalize})`);
    const maxAbs = Math.max(Math.abs(r.min), Math.abs(r.max));
    // Scale alone harms nothing (raw 0-16 digit pixels train fine with Adam in the fault benchmark): between warnAbs
    // and failAbs this fails only when an effect of large inputs fails in the same result.
    const effects = maxAbs >= thresholds.warnAbs ? EFFECTS.filter((id) => findings[id]?.status === 'fail') : [];
    const score =
      maxAbs >= thresholds.failAbs || effects.length ? 0.2 : maxAbs >= thresholds.warnAbs ? SCORE.warn : SCORE.pass;
    return {
      score,
      numericValue: maxAbs,
      numericUnit: 'largest |feature value| in the training data',
      displayValue:
        `features range over [${fmt.sci(r.min)}, ${fmt.sci(r.max)}], mean |x| ${fmt.sci(r.meanAbs)}` +
        (effects.length && maxAbs < thresholds.failAbs ? `, and its usual effects fail: ${effects.join(', ')}` : ''),
      affectedLayers: score < 0.9 && first ? [first.name] : [],
      recommendation:
        score < 0.9
          ? 'Standardize each feature with training-set statistics (data.normalize: standardize), divide pixel values by 255, ' +
            'or put a BatchNormalization/Normalization layer first.'
          : null,
      // Page 1 charts the root cause: the scale against the threshold crossed and the [-1, 1] initializations assume.
      evidence:
        score < 0.9
          ? [
              {
                kind: 'bars' as const,
                title: 'Input scale: |feature value| against the scale initializations assume (log)',
                labels: ['largest |x|', 'mean |x|', 'assumed: 1'],
                values: [maxAbs, r.meanAbs, 1],
                unit: '|x|',
                logY: true,
                threshold: maxAbs >= thresholds.failAbs ? thresholds.failAbs : thresholds.warnAbs,
              },
            ]
          : [],
    };
  },
});
