import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { UserInputError } from '../../src/errors.js';
import { tf } from '../../src/gather/tf.js';
import { buildModel } from '../../src/gather/model/build-model.js';
import { audit } from '../../src/audit/audit.js';
import { validateSpec } from '../../src/config/load-spec.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

const layers = (hiddenTrainable: boolean) => [
  { type: 'dense' as const, units: 8, activation: 'relu' as const, trainable: hiddenTrainable },
  { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
];

/** `trainable: false` on a spec layer (the DeepCrime "frozen layers" fault) reaches tfjs and the result. */
describe('trainable: false on spec layers', () => {
  it('the frozen layer keeps its initial weights through fit while the others change', async () => {
    const spec = validateSpec({
      data: { generator: 'moons' },
      model: { train: { layers: layers(false), loss: 'binaryCrossentropy' } },
    });
    if (!('train' in spec.model)) throw new Error('train spec expected');
    const model = buildModel(spec.model.train, [2], 1);
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const kernels = () => model.layers.map((l) => Array.from(l.getWeights()[0]!.dataSync()));
    const before = kernels();
    const x = tf.randomNormal([32, 2], 0, 1, 'float32', 3);
    const y = tf.tidy(() => x.sum(1, true).greater(0).cast('float32'));
    await model.fit(x, y, { epochs: 3, verbose: 0 });
    const after = kernels();
    expect(model.layers.map((l) => l.trainable)).toEqual([false, true]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each([
    { hiddenTrainable: false, status: 'fail', trainable: [false, true] },
    { hiddenTrainable: true, status: 'pass', trainable: [true, true] },
  ])(
    'an audit records trainable per layer and frozen-layers is $status when the hidden layer is trainable: $hiddenTrainable',
    async ({ hiddenTrainable, status, trainable }) => {
      const spec: SpecInput = {
        seed: 3,
        data: { generator: 'moons', samples: 200, noise: 0.2 },
        model: { train: { layers: layers(hiddenTrainable), loss: 'binaryCrossentropy', epochs: 2 } },
      };
      const r = await audit(spec);
      expect(r.model.layers.map((l) => l.trainable)).toEqual(trainable);
      expect(r.model.trainableParams).toBe(hiddenTrainable ? r.model.params : 9);
      const f = r.findings.find((x) => x.id === 'frozen-layers')!;
      expect(f.status, f.displayValue).toBe(status);
      if (status === 'fail')
        expect(f.displayValue).toMatch(
          /layer dense_1 frozen at its random initialization: 24 of 33 parameters never train/,
        );
    },
  );

  it('a loaded model with every layer frozen: audited as saved with epochs 0, refused by field (not a tfjs error) with epochs > 0', async () => {
    // The wine MLP fixture, saved again with trainable: false on every layer (as a Keras model frozen for export).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-frozen-'));
    const src = path.join(fixturesDir(), 'models', 'wine-mlp');
    const json = JSON.parse(readFileSync(path.join(src, 'model.json'), 'utf8')) as { modelTopology: unknown };
    const freeze = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(freeze);
      else if (o && typeof o === 'object') {
        const r = o as Record<string, unknown>;
        const config = r['config'] as Record<string, unknown> | undefined;
        if (typeof r['class_name'] === 'string' && config && 'trainable' in config) config['trainable'] = false;
        Object.values(r).forEach(freeze);
      }
    };
    freeze(json.modelTopology);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    copyFileSync(path.join(src, 'weights.bin'), path.join(dir, 'weights.bin'));
    const spec = (epochs: number): SpecInput => ({
      data: { csv: path.join(fixturesDir(), 'data', 'wine.csv'), label: 'label', normalize: 'standardize' },
      model: { load: { path: path.join(dir, 'model.json'), epochs } },
    });
    const saved = await audit(spec(0));
    expect(saved.model.layers.map((l) => l.trainable)).toEqual(saved.model.layers.map(() => false));
    expect(saved.findings.find((f) => f.id === 'frozen-layers')!.status).toBe('notApplicable');
    const refused = audit(spec(2));
    await expect(refused).rejects.toBeInstanceOf(UserInputError);
    await expect(audit(spec(2))).rejects.toThrow(
      /model.load.epochs is 2, but every layer of the model has trainable: false/,
    );
  });
});
