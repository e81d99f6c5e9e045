import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { flowRatios, gradientEvidence } from './support/gradient-flow.js';
import { lossRatio } from './support/artifact-helpers.js';
import { holds } from './support/baselines.js';

export default defineAnalyzer({
  meta: {
    id: 'vanishing-gradients',
    title: 'Gradients reach the first layers',
    failureTitle: 'Gradients vanish before the first layers',
    description:
      'When the gradient shrinks layer by layer on its way back, the first layers barely learn and the network ' +
      'behaves like a shallow one (Glorot & Bengio 2010). Deep sigmoid/tanh stacks and tiny initializations are the usual cause.',
    requiredArtifacts: ['Gradients'],
    gateLevel: 'error',
    after: ['dead-relu', 'output-activation', 'task-setup'],
    failFast: {
      probes: 4,
      reason: 'a first/last gradient ratio under 1e-3 at 4 probes in a row while the loss has not fallen',
    },
    repairs: ['relu-he', 'batch-norm', 'fewer-layers', 'glorot-init'],
  },
  thresholds: {
    failRatio: {
      default: 1e-3,
      source:
        'AUTOTRAINER: first/last layer gradient-norm ratio below 1e-3 is a vanishing gradient (applied to the kernel ratio and, since the first held-out run, to the back-propagated ratio between first and last hidden layer)',
    },
    warnRatio: { default: 1e-2, source: 'ours: a decade of margin above the AUTOTRAINER threshold' },
    tinyMeanAbs: {
      default: 1e-4,
      source:
        'ours: first-layer mean |g| under 1e-4 moves weights by < 1e-6 per step at lr 0.01; healthy fixtures sit at 1e-3 and above',
    },
    learnedLossRatio: {
      default: 0.5,
      source:
        "ours, from the dd-threshold corpus: a model whose loss is under half the constant predictor's has learned despite small early-layer gradients (a converged checkpoint), so that is not reported as vanishing",
    },
  },
  run(artifacts, { thresholds, findings }) {
    const flow = flowRatios(artifacts);
    if (flow.medianKernelRatio === null) {
      if (!flow.zeroGradientLayers.length) return notApplicable('fewer than two layers with kernel gradients');
      // Name a cause only when its own finding reports it in this result.
      const cause = holds(findings, 'dead-relu')
        ? ' (blocked by dead units: see dead-relu)'
        : holds(findings, 'output-activation')
          ? ' (the output does not depend on the weights: see output-activation)'
          : holds(findings, 'task-setup')
            ? ' (see task-setup)'
            : '';
      return notApplicable(`gradients are exactly zero in ${flow.zeroGradientLayers.join(', ')}${cause}`);
    }
    const r = flow.medianKernelRatio;
    const tiny = flow.medianFirstMeanAbs !== null && flow.medianFirstMeanAbs < thresholds.tinyMeanAbs;
    const outR = flow.medianOutputRatio;
    const learned = lossRatio(artifacts);
    const learnedWell = learned !== null && learned < thresholds.learnedLossRatio;
    // Either ratio can show it: kernel gradients also scale with each layer's input, which tiny activations shrink
    // at the top as much as a vanishing signal shrinks them at the bottom (a deep tanh stack with small weights).
    const worst = Math.min(r, outR ?? Infinity);
    const raw =
      worst < thresholds.failRatio && tiny
        ? 0.1
        : worst < thresholds.failRatio || (worst < thresholds.warnRatio && tiny)
          ? SCORE.warn
          : SCORE.pass;
    const score = learnedWell ? SCORE.pass : raw;
    const firstLayer = flow.layers[0] ?? 'the first layer';
    return {
      score,
      numericValue: worst,
      numericUnit: 'smaller of the first/last kernel-gradient and back-propagated (hidden) ratios, medians over epochs',
      displayValue:
        `first/last gradient ratio ${fmt.sci(r)} (back-propagated ${fmt.sci(outR)}); first-layer mean |g| ${fmt.sci(flow.medianFirstMeanAbs)}` +
        (learnedWell && raw < 0.9
          ? `; small, but the model learned (loss ${fmt.pct(learned!)} of a constant predictor's)`
          : ''),
      affectedLayers: score < 0.9 ? flow.layers.slice(0, Math.max(1, Math.floor(flow.layers.length / 2))) : [],
      recommendation:
        score < 0.9
          ? `The gradient reaching ${firstLayer} is ${fmt.sci(r)} of the last layer's. Use relu (or leakyRelu) with heNormal initialization ` +
            'instead of sigmoid/tanh with small weights, add batchNormalization between layers, or make the network shallower; ' +
            'glorot initialization keeps the signal variance constant for tanh.'
          : null,
      // The ratio chart draws the thresholds it was judged against, so a reader sees how far below they are.
      evidence: gradientEvidence(artifacts, flow, [
        { y: thresholds.warnRatio, label: `warn ${thresholds.warnRatio}` },
        { y: thresholds.failRatio, label: `fail ${thresholds.failRatio}` },
      ]),
    };
  },
});
