import type { LayerInfo } from '../artifacts/schema.js';
import { holds } from './support/baselines.js';
import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';

/** Score when a high rate comes with a model that underfits: a fail that names the cause. */
const CAUSE_OF_UNDERFITTING = 0.2;

/**
 * A dropout rate that drops most of a layer's inputs (DeepCrime's RCD fault). Keras's `rate` is the share dropped;
 * TensorFlow 1's `tf.nn.dropout(x, keep_prob)` took the share kept, so `Dropout(0.9)` is often a keep probability
 * written in the other convention. A high rate alone warns (it can be deliberate); with a model that underfits it is
 * the likely cause, and fails.
 */
export default defineAnalyzer({
  meta: {
    id: 'dropout-rate',
    title: 'Dropout keeps most of the signal',
    failureTitle: 'Dropout drops most of the signal',
    description:
      'A Dropout layer with a high rate zeroes most of its inputs at every training step, so the network learns from ' +
      "a small random fraction of its units. Keras's rate is the share dropped, not kept (TensorFlow 1's keep_prob was the opposite).",
    requiredArtifacts: ['Model'],
    gateLevel: 'error',
    after: ['underfitting'],
  },
  thresholds: {
    highRate: {
      default: 0.75,
      source:
        'Srivastava et al., JMLR 2014 (Dropout), appendix A.4: typical retention for hidden units is 0.5-0.8, for inputs 0.8 ' +
        '(rates 0.2-0.5); a rate of 0.75 or more keeps at most half of the lowest typical retention',
    },
  },
  run(artifacts, { thresholds, findings }) {
    const layers = artifacts.model.layers;
    if (layers.every((l) => l.dropoutRate === undefined))
      return notApplicable('the artifacts do not record dropout rates');
    const dropout = layers.filter((l): l is LayerInfo & { dropoutRate: number } => typeof l.dropoutRate === 'number');
    if (dropout.length === 0) return notApplicable('no dropout layers');
    const high = dropout.filter((l) => l.dropoutRate >= thresholds.highRate);
    const worst = dropout.reduce((a, l) => (l.dropoutRate > a.dropoutRate ? l : a));
    const underfits = holds(findings, 'underfitting');
    const score = high.length === 0 ? SCORE.pass : underfits ? CAUSE_OF_UNDERFITTING : SCORE.warn;
    const list = (ls: typeof dropout) => ls.map((l) => `${l.name} ${l.dropoutRate}`).join(', ');
    const lowest = Math.min(...high.map((l) => l.dropoutRate));
    const same = high.every((l) => l.dropoutRate === lowest);
    const display =
      high.length === 0
        ? `${dropout.length} dropout layer${dropout.length === 1 ? '' : 's'}, the highest rate ${worst.dropoutRate} (${worst.name})`
        : `${list(high)}: ${high.length === 1 ? 'it drops' : 'they drop'} ${fmt.pct(lowest)}${same ? '' : ' or more'} of ` +
          `${high.length === 1 ? 'its' : 'their'} inputs at every training step${underfits ? ', and the model underfits (see underfitting)' : ''}`;
    return {
      score,
      numericValue: worst.dropoutRate,
      numericUnit: 'highest dropout rate',
      displayValue: display,
      affectedLayers: high.map((l) => l.name),
      recommendation: high.length
        ? `Lower the rate of ${high.map((l) => l.name).join(', ')} to 0.2-0.5 (Keras's rate is the share dropped: a keep probability ` +
          `of ${high[0]!.dropoutRate} from TensorFlow 1 is a rate of ${round(1 - high[0]!.dropoutRate)}), or remove the layer if the model does not overfit.`
        : null,
      evidence: [
        {
          kind: 'table',
          title: 'Dropout layers',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'kind', label: 'Kind' },
            { key: 'rate', label: 'Rate (share dropped)' },
          ],
          rows: dropout.map((l) => ({ layer: l.name, kind: l.className, rate: l.dropoutRate })),
          highlight: dropout.flatMap((l, i) => (l.dropoutRate >= thresholds.highRate ? [i] : [])),
        },
      ],
    };
  },
});

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
