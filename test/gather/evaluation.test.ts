import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { gather } from '../../src/gather/gather.js';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { ROOT } from '../helpers/cli.js';

const WINE = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/data/wine-standardized.json'), 'utf8')) as {
  x: number[][];
  y: number[];
};
const MODEL = path.join(ROOT, 'fixtures/models/wine-mlp/model.json');

/** Accuracy and mean categorical cross-entropy computed here from the model's predictions, not by model.evaluate. */
async function independent(rows: number[]): Promise<{ accuracy: number; loss: number }> {
  await selectBackend('cpu');
  const { model } = await loadLayersModel(MODEL);
  const probs = tf
    .tidy(() => model.predict(tf.tensor2d(rows.map((r) => WINE.x[r]!))) as tf.Tensor)
    .arraySync() as number[][];
  model.dispose();
  let correct = 0;
  let loss = 0;
  rows.forEach((r, i) => {
    const p = probs[i]!;
    const label = WINE.y[r]!;
    if (p.indexOf(Math.max(...p)) === label) correct++;
    loss -= Math.log(Math.min(Math.max(p[label]!, 1e-7), 1 - 1e-7));
  });
  return { accuracy: correct / rows.length, loss: loss / rows.length };
}

describe("evaluation: the model's loss and metrics on the evaluation rows", () => {
  it('a loaded model audited as saved with validationSplit 0 is evaluated on every row, matching an independent computation', async () => {
    const spec = validateSpec({
      model: { load: { path: MODEL, validationSplit: 0 } },
      data: { json: 'fixtures/data/wine-standardized.json' },
    });
    const a = await gather(spec, { baseDir: ROOT, backend: 'cpu' });
    const want = await independent(WINE.y.map((_, i) => i));
    expect(a.evaluation).toMatchObject({ rows: WINE.y.length, on: 'all rows' });
    expect(a.evaluation!.metrics['accuracy']).toBeCloseTo(want.accuracy, 5);
    expect(a.evaluation!.loss).toBeCloseTo(want.loss, 4);
    // a trained wine classifier, far above the 0.4 of always answering the largest class
    expect(want.accuracy).toBeGreaterThan(0.9);
  }, 60_000);

  it('with a validation split, only the validation rows count; after training, the trained weights are evaluated', async () => {
    const spec = validateSpec({
      model: {
        train: {
          layers: [{ type: 'dense', units: 3, activation: 'softmax' }],
          loss: 'categoricalCrossentropy',
          epochs: 3,
          validationSplit: 0.25,
        },
      },
      data: { generator: 'blobs', samples: 200 },
    });
    const a = await gather(spec, { backend: 'cpu' });
    expect(a.evaluation).toMatchObject({ rows: 50, on: 'validation' });
    const last = a.history!.series['val_loss']!.at(-1)!;
    expect(a.evaluation!.loss).toBeCloseTo(last, 4);
    expect(a.evaluation!.metrics['accuracy']).toBeCloseTo(a.history!.series['val_accuracy']!.at(-1)!, 5);
  }, 60_000);
});
