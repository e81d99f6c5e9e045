import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { flowRatios, gradientEvidence } from './support/gradient-flow.js';
import { optimizerText } from './support/artifact-helpers.js';

export default defineAnalyzer({
  meta: {
    id: 'exploding-gradients',
    title: 'Gradients stay bounded',
    failureTitle: 'Gradients explode',
    description:
      'Gradients that grow layer by layer, or epoch by epoch, make updates overshoot until weights and loss turn to ' +
      'Infinity or NaN. Too high a learning rate, large initial weights and unnormalized inputs are the usual causes.',
    requiredArtifacts: ['Gradients'],
    gateLevel: 'error',
    failFast: { probes: 2, reason: 'a gradient norm above 1e6 (or NaN) at 2 probes in a row' },
    repairs: ['glorot-init', 'lr-down', 'clip-gradients', 'standardize-inputs', 'batch-norm'],
  },
  thresholds: {
    warnRatio: {
      default: 70,
      source: 'AUTOTRAINER: first/last layer gradient-norm ratio above 70 is an exploding gradient',
    },
    maxNorm: { default: 1e6, source: 'DeepDiagnosis/AUTOTRAINER: any gradient norm above 1e6 is exploding' },
    growthPerEpoch: {
      default: 2,
      source: 'the issue: gradients growing by >= 2x per epoch; we require it on 3 probes in a row',
    },
  },
  run(artifacts, { thresholds }) {
    if (artifacts.gradients.length === 0) return notApplicable('no gradients were recorded');
    const flow = flowRatios(artifacts);
    const nonFinite = artifacts.gradients.reduce((a, g) => a + g.layers.reduce((b, l) => b + l.nonFinite, 0), 0);
    const totalNorm = artifacts.gradients.map((g) => Math.hypot(...g.layers.map((l) => l.kernelNorm ?? 0)));
    let streak = 0;
    let growing = false;
    for (let i = 1; i < totalNorm.length; i++) {
      streak = totalNorm[i]! >= thresholds.growthPerEpoch * totalNorm[i - 1]! && totalNorm[i - 1]! > 0 ? streak + 1 : 0;
      if (streak >= 3) growing = true;
    }
    const ratio = flow.medianKernelRatio;
    const reasons: string[] = [];
    if (nonFinite > 0) reasons.push(`${nonFinite} non-finite gradient values`);
    if (flow.maxNorm > thresholds.maxNorm)
      reasons.push(`a gradient norm of ${fmt.sci(flow.maxNorm)} (> ${fmt.sci(thresholds.maxNorm)})`);
    if (growing)
      reasons.push(`the gradient norm grew >= ${thresholds.growthPerEpoch}x per epoch for 3 probes in a row`);
    const ratioHigh = ratio !== null && ratio > thresholds.warnRatio;
    if (ratioHigh) reasons.push(`first/last gradient ratio ${fmt.sci(ratio)} (> ${thresholds.warnRatio})`);
    const score =
      nonFinite > 0 || flow.maxNorm > thresholds.maxNorm ? 0 : growing ? 0.3 : ratioHigh ? SCORE.warn : SCORE.pass;
    const inputs = artifacts.data.featureRange;
    const inputHint =
      Math.max(Math.abs(inputs.min), Math.abs(inputs.max)) > 10 && artifacts.data.normalize === 'none'
        ? ` Inputs range over [${fmt.sci(inputs.min)}, ${fmt.sci(inputs.max)}] unnormalized: standardize them.`
        : '';
    return {
      score,
      numericValue: flow.maxNorm,
      numericUnit: 'largest gradient L2 norm',
      displayValue: reasons.length
        ? reasons.join('; ')
        : `largest gradient norm ${fmt.sci(flow.maxNorm)}, first/last ratio ${fmt.sci(ratio)}`,
      affectedLayers: score < 0.9 ? flow.layers.slice(0, Math.max(1, Math.ceil(flow.layers.length / 2))) : [],
      recommendation:
        score < 0.9
          ? `Lower the learning rate (now ${optimizerText(artifacts)}) by 10x, clip gradients (clipnorm 1.0), ` +
            `and use glorot/he initialization instead of large random weights.${inputHint}`
          : null,
      evidence: [
        {
          kind: 'series',
          title: 'Total kernel-gradient norm per epoch',
          xLabel: 'epoch',
          yLabel: 'L2 norm (log scale)',
          logY: true,
          x: flow.epochs,
          series: [{ name: 'all layers', values: totalNorm.map((v) => (Number.isFinite(v) ? v : null)) }],
          markers: [],
          regions: [],
        },
        ...gradientEvidence(artifacts, flow),
      ],
    };
  },
});
