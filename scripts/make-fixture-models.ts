/**
 * Regenerates fixtures/models/: small saved TensorFlow.js LayersModels the tests and README load.
 * Run with `npm run build && node dist/scripts/make-fixture-models.js`. Deterministic per seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tf } from '../src/gather/tf.js';
import { selectBackend } from '../src/gather/backend/backend.js';
import { fixturesDir } from '../src/cli/fixtures.js';
import { openDataset } from '../src/gather/data/prepare.js';
import { dataSchema } from '../src/config/spec-schema.js';
import { withSeededMathRandom } from '../src/gather/train/seeded-random.js';

async function save(model: tf.LayersModel, dir: string, withTrainingConfig: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        // Keras-style training config, as tensorflowjs_converter writes it for a compiled Keras model.
        ...(withTrainingConfig
          ? {
              trainingConfig: {
                loss: 'categorical_crossentropy',
                metrics: ['accuracy'],
                optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.01 } },
              },
            }
          : {}),
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      await writeFile(path.join(dir, 'model.json'), `${JSON.stringify(json, null, 1)}\n`);
      await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

async function main(): Promise<void> {
  await selectBackend('cpu');
  const root = path.join(fixturesDir(), 'models');
  // Read the way an audit reads it (the streaming CSV source): the saved model sees the labels an audit encodes.
  const wine = await openDataset(
    dataSchema.parse({ csv: path.join(fixturesDir(), 'data', 'wine.csv'), label: 'label' }),
    {
      baseDir: fixturesDir(),
      seed: 0,
      inputShape: null,
      checkShape: () => undefined,
    },
  );
  // Standardize with the full-data statistics so the saved model expects standardized wine features.
  const n = wine.y.length;
  const w = 13;
  const x = tf.tidy(() => {
    const t = tf.tensor2d(wine.x, [n, w]);
    const { mean, variance } = tf.moments(t, 0);
    return t.sub(mean).div(variance.sqrt());
  });
  const standardized = await x.data();
  await writeFile(
    path.join(fixturesDir(), 'data', 'wine-standardized.json'),
    `${JSON.stringify({ x: Array.from({ length: n }, (_, i) => Array.from(standardized.slice(i * w, i * w + w), (v) => Number(v.toFixed(5)))), y: Array.from(wine.y) })}\n`,
  );
  const y = tf.oneHot(tf.tensor1d(wine.y, 'int32'), 3);
  const model = tf.sequential({
    name: 'wine_mlp',
    layers: [
      tf.layers.dense({
        inputShape: [13],
        units: 16,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
        name: 'hidden',
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        name: 'output',
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await withSeededMathRandom(7, () => model.fit(x, y, { epochs: 40, batchSize: 16, verbose: 0 }));
  await save(model, path.join(root, 'wine-mlp'), true);
  await save(model, path.join(root, 'wine-mlp-no-training-config'), false);
  tf.dispose([x, y]);
  model.dispose();
  process.stdout.write(`wrote ${root}\n`);
}

await main();
