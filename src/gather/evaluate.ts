import { tf } from './tf.js';
import type { Evaluation } from '../artifacts/schema.js';
import { normalizeMetricName } from '../artifacts/metric-names.js';

/**
 * The compiled model's loss and metrics on the evaluation rows (inference mode, in batches), as plain numbers.
 * `on` says which rows: the validation split, or every row when there is none.
 */
export async function evaluateModel(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number, on: Evaluation['on']): Promise<Evaluation> {
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
