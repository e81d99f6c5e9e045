import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { constantLoss, optimizerText } from './support/artifact-helpers.js';

export default defineAnalyzer({
  meta: {
    id: 'oscillating-loss',
    title: 'The training loss settles',
    failureTitle: 'The training loss oscillates',
    description:
      'A loss that jumps up and down from epoch to epoch without trending down means the steps overshoot the ' +
      'minimum: the learning rate (or momentum) is too high for the batch size, or the batches are too small and noisy.',
    requiredArtifacts: ['History'],
    gateLevel: 'error',
    repairs: ['lr-down'],
  },
  thresholds: {
    minEpochs: { default: 6, source: 'fewer epochs give no pattern to judge' },
    changeShare: {
      default: 0.5,
      source: 'ours: the epoch-to-epoch direction flips at least every other epoch (a descending loss rarely flips)',
    },
    warnSwing: {
      default: 0.03,
      source:
        "ours: mean epoch-to-epoch change >= 3% of the constant predictor's loss in the second half (the AUTOTRAINER oscillating demo: 4%; healthy fixtures: under 1.5%)",
    },
    failSwing: { default: 0.08, source: "ours: swings of 8% of the constant predictor's loss per epoch" },
  },
  run(artifacts, { thresholds }) {
    const loss = (artifacts.history?.series['loss'] ?? []).filter((v): v is number => v !== null);
    if (loss.length < thresholds.minEpochs)
      return notApplicable(`needs ${thresholds.minEpochs} epochs of finite training loss`);
    // The second half: early training legitimately moves fast; oscillation is a failure to settle.
    const tail = loss.slice(Math.floor(loss.length / 2) - 1);
    const diffs = tail.slice(1).map((v, i) => v - tail[i]!);
    const flips = diffs.slice(1).filter((d, i) => Math.sign(d) !== 0 && Math.sign(d) !== Math.sign(diffs[i]!)).length;
    const changeShare = diffs.length > 1 ? flips / (diffs.length - 1) : 0;
    // Swings are measured against the loss scale of the task (a constant predictor's loss, else the first epoch's):
    // relative to a nearly converged loss of 0.01, any noise would look like a 50% swing.
    const scale = constantLoss(artifacts) ?? loss[0]!;
    const swing = scale > 0 ? diffs.reduce((a, d) => a + Math.abs(d), 0) / diffs.length / scale : 0;
    // A loss that still falls overall is learning, even if noisy.
    const netDrop = scale > 0 ? (tail[0]! - tail[tail.length - 1]!) / scale : 0;
    const oscillating = changeShare >= thresholds.changeShare && swing > Math.max(0, netDrop) / diffs.length;
    const score =
      oscillating && swing >= thresholds.failSwing
        ? 0.2
        : oscillating && swing >= thresholds.warnSwing
          ? SCORE.warn
          : SCORE.pass;
    const h = artifacts.history!;
    return {
      score,
      numericValue: swing,
      numericUnit:
        'mean epoch-to-epoch change of the training loss / constant-predictor loss (second half of training)',
      displayValue: `the loss moves by ${fmt.pct(swing)} of a constant predictor's loss per epoch, direction flips in ${fmt.pct(changeShare)} of epochs (second half)`,
      affectedLayers: [],
      recommendation:
        score < 0.9
          ? `Lower the learning rate (now ${optimizerText(artifacts)}) 3-10x or add a decay schedule, reduce momentum, ` +
            'or use a larger batch size so each step averages more samples.'
          : null,
      evidence: [
        {
          kind: 'series',
          title: 'Training loss per epoch',
          xLabel: 'epoch',
          yLabel: 'loss',
          logY: false,
          x: h.epochs,
          series: [{ name: 'train loss', values: h.series['loss']! }],
          markers: [],
          regions: [],
        },
      ],
    };
  },
});
