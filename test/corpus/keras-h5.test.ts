import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { tf } from '../../src/gather/tf.js';
import { ModelLoadError } from '../../src/errors.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';

const CORPUS = sharedPath('real-models');

function h5Files(dir = CORPUS): string[] {
  if (!existsSync(dir)) return []; // collected even when skipped
  return readdirSync(dir)
    .flatMap((name) => {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) return h5Files(p);
      return p.endsWith('.h5') ? [p] : [];
    })
    .sort();
}

/** The tfjs conversion kept beside an .h5 in the corpus (made by a separate converter), to compare predictions with. */
function converted(h5: string): string | null {
  const dir = path.dirname(h5);
  const tag = path.basename(h5, '.h5').replace(/^model_/, '');
  for (const c of [`tfjs_model_${tag}`, 'tfjs_from_h5_here']) {
    const p = path.join(dir, c, 'model.json');
    if (existsSync(p)) return p;
  }
  return null;
}

describeWith(['shared'], 'Keras HDF5 import (h5wasm)', () => {
  beforeAll(async () => {
    await selectBackend();
  });
  const files = h5Files();
  it('finds the corpus .h5 files', () => expect(files.length).toBeGreaterThanOrEqual(40));

  it.each(files.map((f) => [path.relative(CORPUS, f), f]))(
    '%s loads and predicts exactly like its tfjs conversion, or is rejected clearly',
    async (_rel, file) => {
      let loaded;
      try {
        loaded = await loadLayersModel(file);
      } catch (e) {
        // The only files that cannot load alone are weights-only saves (they need the architecture JSON).
        expect(e).toBeInstanceOf(ModelLoadError);
        expect((e as Error).message).toMatch(/weights-only HDF5 file .*--architecture/);
        expect(path.basename(file)).toBe('weights_only.h5');
        return;
      }
      const ref = converted(file);
      if (ref) {
        const other = (await loadLayersModel(ref)).model;
        const diff = tf.tidy(() => {
          const x = tf.randomNormal(
            loaded.model.inputs[0]!.shape.map((d) => d ?? 4),
            0,
            1,
            'float32',
            3,
          );
          return tf.max(tf.abs(tf.sub(loaded.model.predict(x) as tf.Tensor, other.predict(x) as tf.Tensor)));
        });
        expect((await diff.data())[0]).toBeLessThan(1e-5);
        diff.dispose();
        other.dispose();
      }
      loaded.model.dispose();
    },
  );

  it('reads the training config itself: loss and optimizer, including Keras 2.11+ "Custom>Adam"', async () => {
    const so = await loadLayersModel(path.join(CORPUS, 'dd-so31880720-softmax-on-1-unit/model_trained_ckpt.h5'));
    expect(so.training).toMatchObject({ loss: 'binaryCrossentropy', optimizer: { name: 'rmsprop' } });
    so.model.dispose();
    const maternal = await loadLayersModel(path.join(CORPUS, 'tfjs-maternal-health-mlp-dropout/my_keras_model.h5'));
    expect(maternal.training).toMatchObject({ loss: 'sparseCategoricalCrossentropy', optimizer: { name: 'adam' } });
    maternal.model.dispose();
  });

  it('a weights-only file with its architecture JSON gets a clear message about the Lambda layer it contains', async () => {
    const dir = path.join(CORPUS, 'dl-traffic-sign-buggy');
    await expect(
      loadLayersModel(path.join(dir, 'weights_only.h5'), path.join(dir, 'keras_to_json.json')),
    ).rejects.toThrow(/Lambda layer: Python code/);
  });

  it('names a missing .keras file (Keras 3 archives load: test/corpus/keras3.test.ts)', async () => {
    await expect(loadLayersModel('/tmp/nnaudit-no-such/model.keras')).rejects.toThrow(
      /model\.keras: Keras model file not found/,
    );
  });
});
