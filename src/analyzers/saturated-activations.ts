import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { activationsBroken, lastActivations, outputLayerName, SQUASHING } from './support/artifact-helpers.js';

export default defineAnalyzer({
  meta: {
    id: 'saturated-activations',
    title: 'Sigmoid/tanh units work in their sensitive range',
    failureTitle: 'Sigmoid/tanh units are saturated',
    description:
      'A sigmoid or tanh unit whose input sits beyond |z| = 5 outputs a constant and passes back almost no gradient ' +
      '(derivative < 0.01). Many saturated units stall learning in the layers below.',
    requiredArtifacts: ['Activations'],
    gateLevel: 'error',
    failFast: {
      probes: 3,
      reason: 'half a layer saturated at 3 probes in a row passes back almost no gradient to unsaturate it',
    },
    repairs: ['standardize-inputs', 'glorot-init', 'batch-norm', 'relu-he'],
  },
  thresholds: {
    unitFraction: {
      default: 0.5,
      source: 'DeepDiagnosis: a unit is saturated when |z| >= 5 on more than half of the inputs',
    },
    failLayerFraction: { default: 0.5, source: 'ours: half the units of a layer saturated' },
    warnLayerFraction: { default: 0.2, source: 'ours: a fifth of the units saturated' },
  },
  run(artifacts, { thresholds }) {
    const output = outputLayerName(artifacts);
    // The output layer is left out: a confident, well-trained sigmoid output is saturated by design.
    const layers = (lastActivations(artifacts)?.layers ?? []).filter(
      (l) =>
        l.activation !== null && SQUASHING.has(l.activation) && l.unitSaturatedFraction !== null && l.layer !== output,
    );
    if (layers.length === 0) return notApplicable('no hidden sigmoid/tanh layers');
    if (activationsBroken(lastActivations(artifacts)))
      return notApplicable('activations contain NaN/Infinity: see non-finite-values');
    const rows = layers.map((l) => {
      const fr = l.unitSaturatedFraction!;
      const saturated = fr.filter((f) => f > thresholds.unitFraction).length;
      return {
        layer: l.layer,
        activation: l.activation,
        units: fr.length,
        saturated,
        fraction: saturated / fr.length,
        meanAbsZ: l.preActivation?.stats.std ?? null,
      };
    });
    const worst = rows.reduce((a, b) => (b.fraction > a.fraction ? b : a));
    const score =
      worst.fraction >= thresholds.failLayerFraction
        ? 0.2
        : worst.fraction >= thresholds.warnLayerFraction
          ? SCORE.warn
          : SCORE.pass;
    return {
      score,
      numericValue: worst.fraction,
      numericUnit: 'fraction of units saturated (worst layer)',
      displayValue: `${fmt.pct(worst.fraction)} of units saturated in ${worst.layer}`,
      affectedLayers: rows.filter((r) => r.fraction >= thresholds.warnLayerFraction).map((r) => r.layer),
      recommendation:
        score < 0.9
          ? `Pre-activations in ${worst.layer} are too large: standardize the inputs, use glorot initialization (or smaller weights), ` +
            'lower the learning rate, add batchNormalization before the activation, or switch hidden layers to relu.'
          : null,
      evidence: [
        {
          kind: 'table',
          title: 'Saturated units per layer (|z| >= 5 on more than half the probe values)',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'activation', label: 'Activation' },
            { key: 'units', label: 'Units' },
            { key: 'saturated', label: 'Saturated' },
            { key: 'fraction', label: 'Fraction', unit: '%' },
            { key: 'meanAbsZ', label: 'std of z' },
          ],
          rows,
          highlight: rows.flatMap((r, i) => (r.fraction >= thresholds.warnLayerFraction ? [i] : [])),
        },
        ...layers.flatMap((l) =>
          l.preActivation?.histogram
            ? [
                {
                  kind: 'histogram' as const,
                  title: `Pre-activation z in ${l.layer} (${l.activation})`,
                  xLabel: 'z',
                  edges: l.preActivation.histogram.edges,
                  counts: l.preActivation.histogram.counts,
                },
              ]
            : [],
        ),
      ],
    };
  },
});
