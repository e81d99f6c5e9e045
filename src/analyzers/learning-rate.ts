import { defineAnalyzer, notApplicable, SCORE } from './support/define-analyzer.js';
import { median, optimizerText, probeProgress, progressText } from './support/artifact-helpers.js';
import { holds } from './support/baselines.js';

export default defineAnalyzer({
  meta: {
    id: 'learning-rate',
    title: 'Updates are a healthy size for the weights',
    failureTitle: 'The learning rate is off',
    description:
      "One optimizer step should change a layer's weights by about 0.1% of their size (log10 ratio near -3): " +
      'much more and training overshoots or diverges, much less and it crawls.',
    requiredArtifacts: ['Weights'],
    gateLevel: 'error',
    after: ['dead-relu', 'vanishing-gradients'],
    repairs: ['lr-down', 'lr-up'],
  },
  thresholds: {
    warnLowLog10: {
      default: -4,
      source: 'the issue / cs231n ("update/weight ratio ~1e-3"): log10 ratio below -4 learns too slowly',
    },
    warnHighLog10: { default: -1, source: 'the issue / cs231n: above -1, each step changes weights by 10% or more' },
    failLowLog10: { default: -5.5, source: 'ours: 1e-5.5 per step moves a weight by under 3% in 10,000 steps' },
    failHighLog10: {
      default: -0.5,
      source: "ours: a step of ~30% of the weights' size is not training, it is re-initializing",
    },
    stalledProgress: {
      default: 0.1,
      source:
        "ours, from the fault benchmark's tuning half: steps below the warn level while the probe loss fell by under 10% over the run: the small steps are why nothing is learned",
    },
  },
  run(artifacts, { thresholds, findings }) {
    const perLayer = new Map<string, number[]>();
    let zeroSteps = 0;
    // Layers whose kernel never moved: the worst ones, so the chart shows them (as "no step") instead of leaving them out.
    const still = new Set<string>();
    for (const e of artifacts.weights) {
      for (const w of e.weights) {
        if (w.weight !== 'kernel' || w.updateRatio === null || w.updateRatio === undefined) continue;
        if (w.updateRatio <= 0) {
          zeroSteps++;
          still.add(w.layer);
          continue;
        }
        (perLayer.get(w.layer) ?? perLayer.set(w.layer, []).get(w.layer)!).push(Math.log10(w.updateRatio));
      }
    }
    if (perLayer.size === 0) {
      if (zeroSteps)
        return notApplicable(
          `no kernel moved in the measured steps${holds(findings, 'dead-relu') ? ' (zero gradients: see dead-relu)' : ' (zero gradients)'}`,
        );
      const src = artifacts.model.source;
      return notApplicable(
        src === 'callback'
          ? 'update sizes are not measured in a callback run (that needs a per-batch hook inside your own fit)'
          : src === 'loaded' && artifacts.gradients.length <= 1
            ? 'no optimizer steps were observed (a loaded model audited without training)'
            : 'no optimizer steps were measured in this run (probes off or too few)',
      );
    }
    const rows = [...perLayer.entries()].map(([layer, logs]) => ({ layer, log10: median(logs)!, probes: logs.length }));
    const overall = median(rows.map((r) => r.log10))!;
    const progress = probeProgress(artifacts);
    // Tiny steps from vanishing gradients are that finding's to report: a larger learning rate is not the fix.
    const vanishing = overall < thresholds.warnLowLog10 && holds(findings, 'vanishing-gradients');
    const stalled =
      overall < thresholds.warnLowLog10 && !vanishing && progress !== null && progress < thresholds.stalledProgress;
    const score =
      overall > thresholds.failHighLog10 || overall < thresholds.failLowLog10 || stalled
        ? 0.2
        : overall > thresholds.warnHighLog10 || overall < thresholds.warnLowLog10
          ? SCORE.warn
          : SCORE.pass;
    const tooHigh = overall > thresholds.warnHighLog10;
    return {
      score,
      numericValue: overall,
      numericUnit: 'median log10(update / weight norm) per optimizer step',
      displayValue:
        `one step changes the weights by 10^${overall.toFixed(1)} of their norm (median over layers; healthy ${thresholds.warnLowLog10} to ${thresholds.warnHighLog10})` +
        (stalled ? `, and the probe loss ${progressText(progress!)} over the run` : '') +
        (vanishing ? ' (small because the gradients vanish: see vanishing-gradients)' : ''),
      affectedLayers:
        score < 0.9
          ? rows
              .filter((r) => r.log10 > thresholds.warnHighLog10 || r.log10 < thresholds.warnLowLog10)
              .map((r) => r.layer)
          : [],
      recommendation:
        score < 0.9
          ? tooHigh
            ? `Lower the learning rate (now ${optimizerText(artifacts)}) by about 10^${(overall + 3).toFixed(1)} to reach ~1e-3 per step, or clip gradients.`
            : `Raise the learning rate (now ${optimizerText(artifacts)}) by about 10^${(-3 - overall).toFixed(1)}, or use Adam, which scales steps per weight.`
          : null,
      evidence: [
        {
          kind: 'bars',
          title: 'log10(update / weight) per step, per layer (median over probes)',
          labels: [
            ...rows.map((r) => r.layer),
            ...[...still].filter((l) => !perLayer.has(l)).map((l) => `${l} (no step)`),
          ],
          values: [...rows.map((r) => r.log10), ...[...still].filter((l) => !perLayer.has(l)).map(() => null)],
          unit: 'log10 ratio',
          logY: false,
          // The warn line the run crossed, so the chart shows how far off the layers are.
          threshold: score < 0.9 ? (tooHigh ? thresholds.warnHighLog10 : thresholds.warnLowLog10) : null,
          thresholdSide: tooHigh ? ('above' as const) : ('below' as const),
        },
        {
          kind: 'table',
          title: 'Relative update size per layer',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'ratio', label: 'update / weight per step' },
            { key: 'probes', label: 'Steps measured' },
          ],
          rows: rows.map((r) => ({ layer: r.layer, ratio: 10 ** r.log10, probes: r.probes })),
          highlight: rows.flatMap((r, i) =>
            r.log10 > thresholds.warnHighLog10 || r.log10 < thresholds.warnLowLog10 ? [i] : [],
          ),
        },
      ],
    };
  },
});
