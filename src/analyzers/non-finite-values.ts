import { defineAnalyzer } from './support/define-analyzer.js';

export default defineAnalyzer({
  meta: {
    id: 'non-finite-values',
    title: 'No NaN or Infinity anywhere',
    failureTitle: 'NaN or Infinity values appear',
    description:
      'A single NaN in a weight, activation, gradient or the loss spreads through every later step: the model is broken ' +
      'from that point. The cause is usually divergence (too high a learning rate) or log/division of zero.',
    requiredArtifacts: ['Weights', 'Gradients'],
    gateLevel: 'error',
    failFast: { probes: 1, reason: 'a NaN or Infinity spreads to every later step' },
    repairs: ['lr-down', 'clip-gradients', 'standardize-inputs'],
  },
  thresholds: {
    maxCount: { default: 0, source: 'any non-finite value is a failure' },
  },
  run(artifacts, { thresholds }) {
    const where: Array<{ place: string; layer: string; epoch: number; count: number }> = [];
    for (const e of artifacts.weights)
      for (const w of e.weights)
        if (w.stats.nonFinite)
          where.push({ place: `weight ${w.weight}`, layer: w.layer, epoch: e.epoch, count: w.stats.nonFinite });
    for (const e of artifacts.gradients)
      for (const g of e.layers)
        if (g.nonFinite) where.push({ place: 'gradient', layer: g.layer, epoch: e.epoch, count: g.nonFinite });
    for (const e of artifacts.activations)
      for (const l of e.layers)
        if (l.stats.nonFinite)
          where.push({ place: 'activation', layer: l.layer, epoch: e.epoch, count: l.stats.nonFinite });
    const h = artifacts.history;
    if (h) {
      for (const [key, values] of Object.entries(h.series)) {
        const bad = values.findIndex((v) => v === null);
        if (bad >= 0)
          where.push({
            place: `history ${key}`,
            layer: '(model)',
            epoch: h.epochs[bad]!,
            count: values.filter((v) => v === null).length,
          });
      }
    }
    const total = where.reduce((a, w) => a + w.count, 0);
    const firstEpoch = where.length ? Math.min(...where.map((w) => w.epoch)) : null;
    const failed = total > thresholds.maxCount;
    return {
      score: failed ? 0 : 1,
      numericValue: total,
      numericUnit: 'non-finite values',
      displayValue: failed
        ? `${total} non-finite values, first at epoch ${firstEpoch}`
        : 'all recorded values are finite',
      affectedLayers: [...new Set(where.map((w) => w.layer).filter((l) => l !== '(model)'))],
      recommendation: failed
        ? `Values became NaN/Infinity by epoch ${firstEpoch}. Lower the learning rate, clip gradients, standardize inputs, ` +
          'and check custom losses for log(0) or division by zero.'
        : null,
      evidence: where.length
        ? [
            {
              kind: 'table',
              title: 'Where non-finite values appear',
              columns: [
                { key: 'place', label: 'What' },
                { key: 'layer', label: 'Layer' },
                { key: 'epoch', label: 'Epoch' },
                { key: 'count', label: 'Count' },
              ],
              rows: where.slice(0, 50),
              highlight: [],
            },
          ]
        : [],
    };
  },
});
