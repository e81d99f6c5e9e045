import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { constantLoss, smooth, tailMean } from './support/artifact-helpers.js';
import { EVIDENCE_IDS } from '../result/vocabulary.js';

export default defineAnalyzer({
  meta: {
    id: 'overfitting',
    title: 'Validation loss tracks training loss',
    failureTitle: 'The model overfits',
    description:
      'Validation loss rising from its minimum while training loss keeps falling means the model is memorizing the ' +
      'training set. The weights at the end are worse on new data than those at the best epoch.',
    requiredArtifacts: ['History'],
    gateLevel: 'error',
    repairs: ['fewer-epochs', 'dropout', 'smaller-layers'],
  },
  thresholds: {
    failRise: { default: 0.25, source: 'ours, tuned on the fixtures: smoothed validation loss 25% above its minimum' },
    warnRise: {
      default: 0.1,
      source: 'ours: 10% above the minimum, beyond epoch-to-epoch noise on 100+ validation samples',
    },
    warnGap: { default: 0.1, source: 'the issue / common practice: a train-validation accuracy gap of 0.10 or more' },
    minAbsRise: {
      default: 0.05,
      source:
        "ours: the rise must also be >= 5% of the constant predictor's loss, so a tiny validation loss (0.13 -> 0.17 on Iris) wobbling is not flagged",
    },
    minEpochs: { default: 5, source: 'fewer epochs give no trend to judge' },
  },
  run(artifacts, { thresholds }) {
    const h = artifacts.history;
    if (h === null) return notApplicable('no training history');
    const loss = h.series['loss'];
    const val = h.series['val_loss'];
    if (!loss || !val) return notApplicable('no validation loss in the history');
    if (h.epochs.length < thresholds.minEpochs) return notApplicable(`only ${h.epochs.length} epochs of history`);
    const sVal = smooth(val);
    const sLoss = smooth(loss);
    // The best epoch is where the raw validation loss bottoms out (what early stopping restores);
    // the rise is measured on the smoothed curve so one noisy epoch neither hides nor fakes it.
    const argmin = (s: Array<number | null>) =>
      s.reduce<number>((b, v, i) => (v !== null && (s[b] == null || v < s[b]!) ? i : b), 0);
    const best = argmin(val);
    const last = sVal.length - 1;
    const minVal = sVal[argmin(sVal)] ?? 0;
    const rise = sVal[last] !== null && minVal > 0 ? (sVal[last]! - minVal) / minVal : 0;
    const trainFell = sLoss[last] !== null && sLoss[best] !== null && sLoss[last]! < sLoss[best]!;
    const trivial = constantLoss(artifacts);
    const absRise = sVal[last] !== null ? sVal[last]! - minVal : 0;
    const material = trivial === null || absRise >= thresholds.minAbsRise * trivial;
    const acc = h.series['accuracy'];
    const vacc = h.series['val_accuracy'];
    const gap = acc && vacc ? (tailMean(acc) ?? 0) - (tailMean(vacc) ?? 0) : null;
    const riseFail = trainFell && material && rise >= thresholds.failRise;
    const riseWarn = trainFell && material && rise >= thresholds.warnRise;
    const gapFail = gap !== null && gap >= thresholds.warnGap;
    const score = riseFail || (riseWarn && gapFail) ? 0.2 : riseWarn || gapFail ? SCORE.warn : SCORE.pass;
    const bestEpoch = h.epochs[best]!;
    const parts = [`validation loss ${fmt.pct(rise)} above its minimum (epoch ${bestEpoch})`];
    if (gap !== null) parts.push(`train-validation accuracy gap ${gap.toFixed(2)}`);
    return {
      score,
      numericValue: rise,
      numericUnit: 'relative rise of smoothed validation loss above its minimum',
      displayValue: parts.join('; '),
      affectedLayers: [],
      recommendation:
        score < 0.9
          ? `Stop at epoch ${bestEpoch} (early stopping on val_loss with patience ~${Math.max(2, Math.round(h.epochs.length / 10))}), ` +
            `add dropout (0.2-0.5) or L2 weight decay, reduce capacity (${artifacts.model.trainableParams} parameters for ` +
            `${artifacts.data.trainSize} training samples), or get more data / augmentation.`
          : null,
      evidence: [
        {
          kind: 'series',
          id: EVIDENCE_IDS.lossCurves,
          title: 'Learning curves: loss',
          xLabel: 'epoch',
          yLabel: 'loss',
          logY: false,
          x: h.epochs,
          series: [
            { name: 'train loss', values: loss },
            { name: 'validation loss', values: val },
          ],
          markers: [{ x: bestEpoch, label: `best val_loss (epoch ${bestEpoch})` }],
          regions: riseWarn ? [{ from: bestEpoch, to: h.epochs[last]!, label: 'validation loss rising' }] : [],
        },
        ...(acc && vacc
          ? [
              {
                kind: 'series' as const,
                title: 'Learning curves: accuracy',
                xLabel: 'epoch',
                yLabel: 'accuracy',
                logY: false,
                x: h.epochs,
                series: [
                  { name: 'train accuracy', values: acc },
                  { name: 'validation accuracy', values: vacc },
                ],
                markers: [],
                regions: [],
              },
            ]
          : []),
      ],
    };
  },
});
