import { defineAnalyzer, fmt, notApplicable, SCORE } from './define-analyzer.js';
import { REPAIRS } from '../fix/spec-patches.js';

export default defineAnalyzer({
  meta: {
    id: 'unnormalized-inputs',
    title: 'Inputs are on a sensible scale',
    failureTitle: 'Inputs are far outside [-1, 1]',
    description: 'Large raw inputs make the first layer\'s pre-activations and gradients large: sigmoid/tanh units saturate, ' +
      'ReLU units die, and the learning rate that suits one feature is wrong for another.',
    requiredArtifacts: ['Data'],
    gateLevel: 'warn',
    failFast: { probes: 1, reason: 'the input scale is fixed by the data: training cannot change it' },
    repairs: [REPAIRS.standardizeInputs],
  },
  thresholds: {
    warnAbs: { default: 10, source: 'ours: an order of magnitude beyond the [-1, 1] that glorot/he initializations assume' },
    failAbs: { default: 100, source: 'ours: two orders of magnitude (the AUTOTRAINER blob/circle inputs are scaled x100 to provoke failures)' },
  },
  run(artifacts, { thresholds }) {
    const r = artifacts.data.featureRange;
    if (artifacts.model.source === 'callback') return notApplicable('the callback does not see the raw inputs');
    const first = artifacts.model.layers.find((l) => l.className !== 'InputLayer');
    // A first BatchNormalization/Normalization/Rescaling layer scales the inputs inside the model.
    if (first && /BatchNormalization|Normalization|Rescaling/.test(first.className)) return notApplicable(`${first.name} normalizes the inputs inside the model`);
    if (artifacts.data.normalize !== 'none') return notApplicable(`inputs are normalized by the spec (${artifacts.data.normalize})`);
    const maxAbs = Math.max(Math.abs(r.min), Math.abs(r.max));
    const score = maxAbs >= thresholds.failAbs ? 0.2 : maxAbs >= thresholds.warnAbs ? SCORE.warn : SCORE.pass;
    return {
      score,
      numericValue: maxAbs,
      numericUnit: 'largest |feature value| in the training data',
      displayValue: `features range over [${fmt.sci(r.min)}, ${fmt.sci(r.max)}], mean |x| ${fmt.sci(r.meanAbs)}`,
      affectedLayers: score < 0.9 && first ? [first.name] : [],
      recommendation: score < 0.9
        ? 'Standardize each feature with training-set statistics (data.normalize: standardize), divide pixel values by 255, ' +
          'or put a BatchNormalization/Normalization layer first.'
        : null,
      evidence: [],
    };
  },
});
