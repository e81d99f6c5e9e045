import type { AuditResult } from '../result/schema.js';
import { num } from './number-format.js';
import { displayPath } from './public-text.js';

/** Why the loss was taken on logits, in the report's words. */
const LOGITS_SOURCE: Record<string, string> = {
  stated: 'as stated',
  saved: 'the saved loss',
  detected: 'detected: no softmax/sigmoid at the end',
  default: 'default',
};

/** Class names printed in the data appendix; the rest are counted (an ImageNet-sized list would fill a page). */
export const MAX_CLASS_NAMES = 30;

/**
 * The class order (id 0, 1, ...) and how it was chosen: image folders are sorted by name unless the spec lists
 * them, so a reader comparing with another tool's label ids needs to see it.
 */
function classRows(classes: AuditResult['data']['classes']): Array<[string, string]> {
  if (!classes || classes.names.length === 0) return [];
  const shown = classes.names
    .slice(0, MAX_CLASS_NAMES)
    .map((n, i) => `${n}=${i}`)
    .join(', ');
  const more = classes.names.length - MAX_CLASS_NAMES;
  return [
    ['Classes (name=id)', `${shown}${more > 0 ? `, and ${more} more` : ''}`],
    ['Class order', classes.order],
  ];
}

/** The appendix's "Data and training" rows: where the data came from (shortened: reports get emailed), how it was set up. */
export function dataRows(r: AuditResult): Array<[string, string]> {
  const m = r.model;
  return [
    ['Source', displayPath(r.data.source)],
    ['Task', `${r.data.task}${r.data.numClasses ? ` (${r.data.numClasses} classes)` : ''}`],
    ...classRows(r.data.classes),
    ['Rows (train / validation / probe)', `${r.data.trainSize} / ${r.data.validationSize} / ${r.data.probeSize}`],
    ['Normalization', r.data.normalize],
    ['Raw feature range', `${num(r.data.featureRange.min)} to ${num(r.data.featureRange.max)}`],
    ['Chance accuracy', num(r.data.chanceAccuracy)],
    ['Constant-predictor loss', num(r.data.trivialLoss)],
    ['Parameters (trainable)', `${num(m.params)} (${num(m.trainableParams)})`],
    [
      'Loss',
      m.loss
        ? `${m.loss}${m.fromLogits ? ` from logits (${LOGITS_SOURCE[m.fromLogitsSource ?? 'stated']})` : ''}`
        : '—',
    ],
    ...(m.inputLayout === 'channelsFirst'
      ? [['Input layout', 'channels first (N, C, H, W), as PyTorch'] as [string, string]]
      : []),
    ['Optimizer', m.optimizer ? `${m.optimizer.name}, learning rate ${m.optimizer.learningRate}` : '—'],
  ];
}
