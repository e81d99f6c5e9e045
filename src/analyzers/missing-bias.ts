import type { LayerInfo } from '../artifacts/schema.js';
import { linkActivation } from './output-activation.js';
import { defineAnalyzer, notApplicable, SCORE } from './support/define-analyzer.js';

/**
 * Activations with f(0) = 0. A network built only from these and bias-free layers maps the zero input to zero; with
 * piecewise-linear ones (relu, leaky relu, linear) it is also positively homogeneous, f(a x) = a f(x) for a > 0.
 * sigmoid, softplus and hardSigmoid give a constant at 0, which acts as an offset for the next layer: not listed.
 */
const ZERO_AT_ZERO = new Set([
  'linear',
  'relu',
  'relu6',
  'leakyRelu',
  'elu',
  'selu',
  'tanh',
  'softsign',
  'swish',
  'mish',
  'gelu',
]);
/** Layers that apply no activation of their own (they pass zero on as zero). */
const NO_ACTIVATION =
  /^(InputLayer|Flatten|Reshape|Permute|Dropout|SpatialDropout\dD|AlphaDropout|GaussianDropout|GaussianNoise|MaxPooling\dD|GlobalMaxPooling\dD|AveragePooling\dD|GlobalAveragePooling\dD|ZeroPadding\dD)$/;

/**
 * Removing every bias (DeepCrime's WRB) leaves a network that cannot shift anything: with standardized inputs its
 * prediction at the mean input is pinned (logit 0: probability 0.5 or uniform; regression: 0), and a ReLU network's
 * decision regions become cones through that point. A structural fact, so a categorical rule with no threshold: it
 * fails when no layer adds a learned constant and every hidden activation keeps 0 at 0.
 */
export default defineAnalyzer({
  meta: {
    id: 'missing-bias',
    title: 'The network can learn offsets',
    failureTitle: 'No layer has a bias',
    description:
      'Without any bias or normalization offset, a network whose activations keep 0 at 0 maps the zero input (the mean of ' +
      'standardized data) to a fixed output and, with ReLUs, can only draw decision regions that are cones through it.',
    requiredArtifacts: ['Model'],
    gateLevel: 'error',
  },
  thresholds: {},
  run(artifacts) {
    const layers = artifacts.model.layers;
    const weighted = layers.filter((l) => l.params > 0);
    if (weighted.length === 0) return notApplicable('no layers with weights');
    if (weighted.every((l) => l.bias === undefined))
      return notApplicable('the artifacts do not record which layers have a bias');
    const withOffset = weighted.filter((l) => l.bias === true);
    const output = layers[layers.length - 1];
    // The output's own activation is the link function (sigmoid/softmax), not a hidden offset.
    const hidden = layers.filter((l) => l !== output);
    const offsetActivations = hidden.filter((l) => !keepsZero(l));
    const pinned = withOffset.length === 0 && offsetActivations.length === 0;
    let display: string;
    if (pinned) {
      display =
        `none of the ${weighted.length} layers with weights has a bias or offset, and every hidden activation keeps 0 at 0: ` +
        `the output at the zero input is pinned at ${pinnedOutput(output, linkActivation(artifacts)?.activation)}`;
    } else if (withOffset.length === 0) {
      display = `no layer has a bias, but ${offsetActivations.map((l) => `${l.name} (${l.activation ?? l.className})`).join(', ')} give${offsetActivations.length === 1 ? 's' : ''} a constant at 0`;
    } else {
      display = `${withOffset.length} of ${weighted.length} layers with weights add a learned constant`;
    }
    const noBias = weighted.filter((l) => l.bias === false);
    return {
      score: pinned ? 0.2 : SCORE.pass,
      numericValue: withOffset.length,
      numericUnit: 'layers with a bias or normalization offset',
      displayValue: display,
      affectedLayers: pinned ? noBias.map((l) => l.name) : [],
      recommendation: pinned
        ? `Give the layers their biases back (useBias: true, the default${noBias[0] ? `, e.g. on ${noBias[0].name}` : ''}), or add a BatchNormalization ` +
          'layer: a network with no learned constant cannot move its output away from a fixed value at the mean input.'
        : null,
      evidence: [
        {
          kind: 'table',
          title: 'Layers with weights and their learned constant',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'className', label: 'Class' },
            { key: 'activation', label: 'Activation' },
            { key: 'bias', label: 'Bias / offset' },
          ],
          rows: weighted.map((l) => ({
            layer: l.name,
            className: l.className,
            activation: l.activation ?? '—',
            bias: l.bias === true ? 'yes' : l.bias === false ? 'no' : 'n/a',
          })),
          highlight: weighted.flatMap((l, i) => (pinned && l.bias === false ? [i] : [])),
        },
      ],
    };
  },
});

function keepsZero(l: LayerInfo): boolean {
  if (l.activation !== null) return ZERO_AT_ZERO.has(l.activation);
  // A layer without an activation: a known pass-through, or a weighted layer whose own offset was counted above.
  return NO_ACTIVATION.test(l.className) || l.params > 0;
}

function pinnedOutput(output: LayerInfo | undefined, link: string | undefined): string {
  switch (link ?? output?.activation) {
    case 'sigmoid':
      return 'probability 0.5';
    case 'softmax':
      return 'the uniform distribution';
    default:
      return '0';
  }
}
