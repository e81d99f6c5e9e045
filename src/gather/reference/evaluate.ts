import { tf } from '../tf.js';
import type { Evaluation } from '../../artifacts/schema.js';
import { normalizeMetricName } from '../../artifacts/metric-names.js';

/**
 * The compiled model's loss and metrics on the evaluation rows (inference mode, in batches), as plain numbers.
 * `on` says which rows: the validation split, or every row when there is none.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize: number,
  on: Evaluation['on'],
): Promise<Evaluation> {
  const out = model.evaluate(x, y, { batchSize, verbose: 0 });
  const scalars = Array.isArray(out) ? out : [out];
  try {
    const values = await Promise.all(scalars.map(async (s) => (await s.data())[0]!));
    const names = model.metricsNames;
    const metrics: Record<string, number | null> = {};
    let loss: number | null = null;
    names.forEach((n, i) => {
      const v = values[i] ?? NaN;
      const clean = Number.isFinite(v) ? v : null;
      if (n === 'loss') loss = clean;
      else metrics[normalizeMetricName(n)] = clean;
    });
    return { rows: x.shape[0] ?? 0, on, loss, metrics };
  } finally {
    tf.dispose(scalars);
  }
}

/** Per-class recall on the evaluation rows, and how many rows of each class it was measured on. */
export interface ClassRecall {
  /** Index = class id; null for a class with no row there. */
  recall: Array<number | null>;
  /** Rows of each class among the evaluation rows: a recall of 0/1 says far less than one of 0/100. */
  counts: number[];
  /** Per row, in the rows' order: 1 when the model answered it with its label (rows with an invalid id: 0). */
  correct: Uint8Array;
}

/**
 * Recall of each class on the evaluation rows, with each class's row count, for single-label classification: the
 * predicted class is p > `threshold` for one output unit (0.5 on a probability, 0 on a logit), else the arg-max. Accuracy hides a model that gives up on a rare
 * class (95% by always answering the majority); per-class recall shows it.
 */
export async function classRecall(
  model: tf.LayersModel,
  x: tf.Tensor,
  ids: ArrayLike<number>,
  numClasses: number,
  batchSize: number,
  threshold = 0.5,
): Promise<ClassRecall> {
  const out = model.predict(x, { batchSize });
  const p = Array.isArray(out) ? out[0]! : out;
  const predicted = tf.tidy(() =>
    p.shape[p.shape.length - 1] === 1 ? p.reshape([-1]).greater(threshold).toInt() : p.argMax(-1),
  );
  try {
    const guess = await predicted.data();
    const hits = new Array<number>(numClasses).fill(0);
    const rows = new Array<number>(numClasses).fill(0);
    const correct = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const c = ids[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) continue;
      rows[c]!++;
      if (guess[i] === c) {
        hits[c]!++;
        correct[i] = 1;
      }
    }
    return { recall: rows.map((n, c) => (n ? hits[c]! / n : null)), counts: rows, correct };
  } finally {
    tf.dispose([predicted, ...(Array.isArray(out) ? out : [out])]);
  }
}
