import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import {
  activationsBroken,
  firstActivations,
  lastActivations,
  optimizerText,
  RELU_FAMILY,
} from './support/artifact-helpers.js';

export default defineAnalyzer({
  meta: {
    id: 'dead-relu',
    title: 'ReLU units are alive',
    failureTitle: 'ReLU units are dead',
    description:
      'A ReLU unit whose output is 0 for every input passes no gradient and never recovers: it is wasted capacity. ' +
      'A layer whose units are all dead makes everything after it constant.',
    requiredArtifacts: ['Activations'],
    gateLevel: 'error',
    failFast: { probes: 3, reason: 'a ReLU layer dead at 3 probes in a row gets no gradient to revive it' },
    repairs: ['he-init', 'leaky-relu', 'batch-norm', 'lr-down'],
  },
  thresholds: {
    failLayerFraction: {
      default: 0.7,
      source: 'DeepDiagnosis and AUTOTRAINER alert on a layer with >= 70% dead ReLU units',
    },
    warnLayerFraction: {
      default: 0.4,
      source: 'ours: healthy ReLU nets on the fixtures keep under 25% dead per layer; 0.4 leaves a margin',
    },
  },
  run(artifacts, { thresholds }) {
    const last = lastActivations(artifacts);
    const first = firstActivations(artifacts);
    const layers = (last?.layers ?? []).filter((l) => l.activation !== null && RELU_FAMILY.has(l.activation));
    if (layers.length === 0) return notApplicable('no ReLU layers');
    if (activationsBroken(last)) return notApplicable('activations contain NaN/Infinity: see non-finite-values');
    // Dead = output <= 0 on every probe sample (and every spatial position, for conv channels).
    const deadIn = (fractions: number[]) => fractions.filter((f) => f >= 1).length;
    const rows = layers.map((l) => {
      const units = l.unitNonPositiveFraction.length;
      const dead = deadIn(l.unitNonPositiveFraction);
      const atStart = first?.layers.find((f) => f.layer === l.layer);
      const deadAtStart = atStart ? deadIn(atStart.unitNonPositiveFraction) : null;
      return { layer: l.layer, units, dead, fraction: dead / units, deadAtStart };
    });
    const worst = rows.reduce((a, b) => (b.fraction > a.fraction ? b : a));
    const fullyDead = rows.filter((r) => r.dead === r.units);
    const failing = rows.filter((r) => r.fraction >= thresholds.failLayerFraction);
    const warning = rows.filter((r) => r.fraction >= thresholds.warnLayerFraction);
    const score = failing.length ? (fullyDead.length ? 0 : 0.25) : warning.length ? SCORE.warn : SCORE.pass;
    const affected = (failing.length ? failing : warning).map((r) => r.layer);
    const totalDead = rows.reduce((a, r) => a + r.dead, 0);
    const totalUnits = rows.reduce((a, r) => a + r.units, 0);
    const diedInTraining = worst.deadAtStart !== null && worst.deadAtStart < worst.dead && artifacts.history !== null;
    const biasMean =
      artifacts.weights[0]?.weights.find((w) => w.layer === worst.layer && w.weight === 'bias')?.stats.mean ?? null;
    const asSaved = artifacts.model.source === 'loaded' && !artifacts.activations.some((e) => e.epoch > 0); // not trained by this run
    let recommendation: string | null = null;
    if (score < 0.9) {
      const cause = diedInTraining
        ? `Units died during training (${worst.deadAtStart} dead at the start, ${worst.dead} at the end in ${worst.layer}): ` +
          `large updates pushed their bias/weights negative. Lower the learning rate (now ${optimizerText(artifacts)}) by 10x, or add gradient clipping.`
        : // A model audited as loaded was probed in its saved weights: "from initialization" would misplace the cause.
          (asSaved
            ? `Units are dead in the saved weights of ${worst.layer}`
            : `Units were dead from initialization in ${worst.layer}`) +
          (biasMean !== null && biasMean < 0
            ? ` (${asSaved ? 'bias' : 'initial bias'} mean ${fmt.sci(biasMean)}: use a zero or small positive bias initializer)`
            : '') +
          (asSaved
            ? '. When retraining, use heNormal kernel initialization and zero biases.'
            : '. Use heNormal kernel initialization and zero biases.');
      recommendation =
        `${cause} Consider leakyRelu or elu, which keep a gradient for negative inputs` +
        (fullyDead.length
          ? `; ${fullyDead.map((r) => r.layer).join(', ')} is entirely dead, so the network output is constant.`
          : '.');
    }
    return {
      score,
      numericValue: worst.fraction,
      numericUnit: 'fraction of units dead (worst layer)',
      displayValue: `${fmt.pct(worst.fraction)} dead in ${worst.layer}; ${totalDead}/${totalUnits} ReLU units dead overall`,
      affectedLayers: affected,
      recommendation,
      evidence: [
        {
          kind: 'table',
          title: 'Dead ReLU units per layer (output <= 0 on every probe sample)',
          // One snapshot (a model probed as loaded, nothing trained): no start and end to tell apart.
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'units', label: 'Units' },
            ...(first === last
              ? [{ key: 'dead', label: 'Dead' }]
              : [
                  { key: 'deadAtStart', label: 'Dead at start' },
                  { key: 'dead', label: 'Dead at end' },
                ]),
            { key: 'fraction', label: 'Dead fraction', unit: '%' },
          ],
          rows: rows.map((r) => ({
            layer: r.layer,
            units: r.units,
            ...(first === last ? {} : { deadAtStart: r.deadAtStart }),
            dead: r.dead,
            fraction: r.fraction,
          })),
          highlight: rows.flatMap((r, i) => (r.fraction >= thresholds.warnLayerFraction ? [i] : [])),
        },
        {
          kind: 'bars',
          title: 'Dead fraction per ReLU layer',
          labels: rows.map((r) => r.layer),
          values: rows.map((r) => r.fraction),
          unit: 'dead fraction',
          threshold: thresholds.failLayerFraction,
        },
        {
          kind: 'heatmap',
          title: 'Per-unit share of probe outputs <= 0 (1 = dead)',
          xLabel: 'unit',
          yLabel: 'layer',
          xLabels: Array.from({ length: Math.max(...layers.map((l) => l.unitNonPositiveFraction.length)) }, (_, i) =>
            String(i),
          ),
          yLabels: layers.map((l) => l.layer),
          values: layers.map((l) => l.unitNonPositiveFraction),
          valueLabel: 'share of outputs <= 0',
          // A share: coloured on 0..1, so a layer whose least-dead unit is at 0.5 does not look half dead.
          range: { min: 0, max: 1 },
        },
      ],
    };
  },
});
