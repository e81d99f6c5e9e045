import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { tf } from '../../src/gather/tf.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';
import { runCli } from '../helpers/cli.js';
import { EXPECTED_LAYERS, describeArchive, predictClass, readArchiveWeights, readIdx } from './fashion-reference.js';

const MODELS = sharedPath('real-models');
const FASHION = sharedPath('datasets', 'fashion-mnist');
const PNG = sharedPath('datasets', 'fashion-mnist-png');
/** Fashion-MNIST label order (datasets/README.md): label i is CLASSES[i]; the PNG folders carry these names. */
const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

/** IDX positions of the 600 PNGs (each file is named by its index in the test set), with the folder's class. */
function pngIndices(): Array<{ index: number; label: number }> {
  if (!existsSync(PNG)) return []; // collected even when skipped
  return CLASSES.flatMap((c, label) =>
    readdirSync(path.join(PNG, c)).map((f) => ({ index: Number(path.basename(f, '.png')), label })),
  );
}

describeWith(['shared'], 'Keras 3 models: .keras archives and Keras 3 .h5', () => {
  /** The independent computation's accuracy, which the end-to-end audit must report too. */
  let referenceAccuracy: number | null = null;
  let tmp = '';
  beforeAll(async () => {
    await selectBackend();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-k3-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ['k3-churn-ann/model.keras', 'binaryCrossentropy', 0.01, 2945],
    ['k3-churn-ann/model.h5', 'binaryCrossentropy', 0.01, 2945],
    ['k3-fashion-mnist-cnn/model.keras', 'sparseCategoricalCrossentropy', 0.001, 121930],
  ] as const)('%s loads with the loss and optimizer of its compile config', async (rel, loss, lr, params) => {
    const loaded = await loadLayersModel(path.join(MODELS, rel));
    expect(loaded.training.loss).toBe(loss);
    expect(loaded.training.optimizer?.name).toBe('adam');
    expect(loaded.training.optimizer?.learningRate).toBeCloseTo(lr, 6);
    expect(loaded.model.countParams()).toBe(params);
    loaded.model.dispose();
  });

  it('the churn model gives the same predictions from its .keras and its .h5 file', async () => {
    const keras = (await loadLayersModel(path.join(MODELS, 'k3-churn-ann/model.keras'))).model;
    const h5 = (await loadLayersModel(path.join(MODELS, 'k3-churn-ann/model.h5'))).model;
    // Standardized inputs, as the app feeds them; spread wide enough that the predictions vary.
    const x = tf.randomNormal([256, 12], 0, 1.5, 'float32', 7);
    const a = keras.predict(x) as tf.Tensor;
    const b = h5.predict(x) as tf.Tensor;
    const pa = await a.data();
    const pb = await b.data();
    expect(Math.max(...pa) - Math.min(...pa)).toBeGreaterThan(0.5); // not a constant output
    for (let i = 0; i < pa.length; i++) expect(Math.abs(pa[i]! - pb[i]!)).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    keras.dispose();
    h5.dispose();
  });

  it('fashion-mnist CNN: an independent forward pass scores about 0.9 on the 600 test images, and the loaded model agrees', async () => {
    const archive = path.join(MODELS, 'k3-fashion-mnist-cnn/model.keras');
    expect(describeArchive(archive)).toBe(EXPECTED_LAYERS);
    const { images, labels } = readIdx(
      path.join(FASHION, 't10k-images-idx3-ubyte.gz'),
      path.join(FASHION, 't10k-labels-idx1-ubyte.gz'),
    );
    const picked = pngIndices();
    expect(picked).toHaveLength(600);
    // The PNG folders name the IDX labels in the README's order: the class order the audit must be given.
    for (const p of picked) expect(labels[p.index]).toBe(p.label);

    const weights = await readArchiveWeights(archive);
    const reference = picked.filter((p) => predictClass(weights, images[p.index]!) === p.label).length / picked.length;
    expect(reference).toBeGreaterThan(0.85);
    expect(reference).toBeLessThan(0.97);
    referenceAccuracy = reference;

    const { model } = await loadLayersModel(archive);
    const x = tf.tensor4d(Float32Array.from(picked.flatMap((p) => Array.from(images[p.index]!))), [
      picked.length,
      28,
      28,
      1,
    ]);
    const predicted = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1));
    const classes = await predicted.data();
    const loadedAccuracy = picked.filter((p, i) => classes[i] === p.label).length / picked.length;
    expect(Math.abs(loadedAccuracy - reference)).toBeLessThan(1e-3);
    tf.dispose([x, predicted]);
    model.dispose();
    console.log(
      `k3-fashion-mnist-cnn on the 600 fashion-mnist-png images: accuracy ${reference.toFixed(4)} (independent) = ${loadedAccuracy.toFixed(4)} (nnaudit)`,
    );
  }, 300_000); // plain-JS convolutions on a shared 2-core machine

  it('nnaudit audit of the .keras on the fashion-mnist-png folder reports that accuracy in result.evaluation', async () => {
    expect(referenceAccuracy).not.toBeNull(); // set by the independent computation above
    const spec = path.join(tmp, 'fashion.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'k3-fashion-mnist-cnn',
        // Sorted folder names (the default) would give ankle-boot class 0: the model's order must be given.
        data: { images: PNG, classes: CLASSES, rescale: 1 / 255 },
        model: { load: { path: path.join(MODELS, 'k3-fashion-mnist-cnn/model.keras'), validationSplit: 0 } },
      }),
    );
    const run = await runCli(['audit', spec, '--json', '--quiet']);
    expect(run.stderr).not.toMatch(/Error/);
    const result = JSON.parse(run.stdout) as {
      evaluation?: { rows: number; on: string; metrics: Record<string, number | null> };
      model: { source: string };
    };
    expect(result.evaluation).toMatchObject({ rows: 600, on: 'all rows' });
    expect(Math.abs(result.evaluation!.metrics['accuracy']! - referenceAccuracy!)).toBeLessThan(1e-3);
  }, 300_000);
});
