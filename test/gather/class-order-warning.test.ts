import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { tf } from '../../src/gather/tf.js';
import { ROOT } from '../helpers/cli.js';

const IMAGES = path.join(ROOT, 'fixtures/data/images'); // class folders bag/ and trouser/, 28x28 grey PNGs

/** A saved 28x28x1 -> 2-class softmax model (model.json + weights.bin), as a user's loaded model. */
async function savedImageModel(dir: string): Promise<string> {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(
        path.join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: a.modelTopology,
          trainingConfig: {
            loss: 'categorical_crossentropy',
            metrics: ['accuracy'],
            optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } },
          },
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        }),
      );
      writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return path.join(dir, 'model.json');
}

describe('a loaded model on an image folder: the class order is a guess unless given, and the run says so', () => {
  let modelPath = '';
  beforeAll(async () => {
    await selectBackend();
    modelPath = await savedImageModel(mkdtempSync(path.join(os.tmpdir(), 'nnaudit-class-order-')));
  });

  it('warns with the order used when the classes come from sorted folder names', async () => {
    const r = await audit({
      model: { load: { path: modelPath, validationSplit: 0 } },
      data: { images: IMAGES, rescale: 1 / 255 },
    });
    expect(r.runWarnings.join('\n')).toMatch(
      /class ids follow sorted folder names \(bag=0, trouser=1\); .* give the order with --classes \(data\.classes\)/,
    );
  }, 120_000);

  it('does not warn when the order is given', async () => {
    const r = await audit({
      model: { load: { path: modelPath, validationSplit: 0 } },
      data: { images: IMAGES, rescale: 1 / 255, classes: ['trouser', 'bag'] },
    });
    expect(r.runWarnings.join('\n')).not.toMatch(/class ids follow/);
  }, 120_000);
});
