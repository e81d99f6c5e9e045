import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { ROOT } from '../helpers/cli.js';

const WINE = path.join(ROOT, 'fixtures/models/wine-mlp');
const DATA = { json: path.join(ROOT, 'fixtures/data/wine-standardized.json') };

interface Layer {
  config: { activation?: string };
}
interface ModelJson {
  modelTopology: { config: { layers: Layer[] } };
  trainingConfig?: Record<string, unknown>;
}

/** The wine MLP (Dense relu -> Dense softmax, categorical CE) rewritten: its last activation and its saved loss. */
function wineVariant(outputActivation: string, loss: unknown | null): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-logits-'));
  const json = JSON.parse(readFileSync(path.join(WINE, 'model.json'), 'utf8')) as ModelJson;
  const layers = json.modelTopology.config.layers;
  layers[layers.length - 1]!.config.activation = outputActivation;
  if (loss === null) delete json.trainingConfig;
  else json.trainingConfig = { ...json.trainingConfig, loss };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  copyFileSync(path.join(WINE, 'weights.bin'), path.join(dir, 'weights.bin'));
  return path.join(dir, 'model.json');
}

const fromLogits = {
  class_name: 'CategoricalCrossentropy',
  config: { name: 'categorical_crossentropy', from_logits: true },
};
const run = (model: string, extra: Record<string, unknown> = {}) =>
  audit({ model: { load: { path: model, validationSplit: 0.3, ...extra } }, data: DATA, seed: 7 });

describe('a Keras model compiled with from_logits=True audits: the loss and accuracy come from its logits', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('scores the same as the softmax model with the same weights, and says the loss was taken on logits', async () => {
    const softmax = await run(wineVariant('softmax', 'categorical_crossentropy'));
    const logits = await run(wineVariant('linear', fromLogits));
    expect(logits.model.fromLogits).toBe(true);
    expect(logits.model.fromLogitsSource).toBe('saved');
    expect(softmax.model.fromLogits).toBe(false);
    // Same weights, same rows: softmax(z) is what the logits loss applies inside, so loss and accuracy agree.
    expect(logits.evaluation?.metrics['accuracy']).toBeCloseTo(softmax.evaluation?.metrics['accuracy'] ?? NaN, 6);
    expect(logits.evaluation?.loss).toBeCloseTo(softmax.evaluation?.loss ?? NaN, 4);
    const out = logits.findings.find((f) => f.id === 'output-activation')!;
    expect(out.status).toBe('pass');
    expect(out.displayValue).toMatch(/computed from logits/);
    // Without the logits loss, the same linear output with a probability loss is the bug it always was.
    const wrong = await run(wineVariant('linear', 'categorical_crossentropy'));
    expect(wrong.model.fromLogits).toBe(false);
    expect(wrong.findings.find((f) => f.id === 'output-activation')!.status).toBe('fail');
  }, 240_000);

  it('detects logits when the file says nothing (--loss given), and a stated logits loss on a softmax graph is a double softmax', async () => {
    const detected = await run(wineVariant('linear', null), { loss: 'categoricalCrossentropy' });
    expect(detected.model.fromLogits).toBe(true);
    expect(detected.model.fromLogitsSource).toBe('detected');
    const double = await run(wineVariant('softmax', null), { loss: 'categoricalCrossentropy', fromLogits: true });
    expect(double.model.fromLogitsSource).toBe('stated');
    const f = double.findings.find((x) => x.id === 'output-activation')!;
    expect(f.status).toBe('fail');
    expect(f.displayValue).toMatch(/double softmax/);
    expect(double.gate.passed).toBe(false);
  }, 240_000);

  it('a sparse cross-entropy on logits takes class ids, for a loaded functional model and for a Sequential built from a spec', async () => {
    // tfjs checks targets against [n, classes] for any loss but its own sparse one: class ids ([n, 1]) were refused.
    const loaded = await run(wineVariant('linear', null), { loss: 'sparseCategoricalCrossentropy', epochs: 1 });
    expect(loaded.model.fromLogits).toBe(true);
    expect(loaded.evaluation?.metrics['accuracy']).toBeGreaterThan(0.8);
    const built = await audit({
      seed: 3,
      data: { generator: 'iris' },
      model: {
        train: {
          loss: 'sparseCategoricalCrossentropy',
          fromLogits: true,
          epochs: 2,
          layers: [
            { type: 'dense', units: 8, activation: 'relu' },
            { type: 'dense', units: 3, activation: 'linear' },
          ],
        },
      },
    });
    expect(built.model.fromLogits).toBe(true);
    expect(built.training.history?.epochs).toHaveLength(2);
  });
});
