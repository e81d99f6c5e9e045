/**
 * The models of the training-speed benchmark (issue #14), built directly with tfjs so that the same model and data
 * can be trained in PyTorch: each case describes its layers once for both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { tf } from '../src/gather/tf.js';
import { fusedAdam } from '../src/gather/backend/wasm/adam.js';
import { generate } from '../src/gather/data/generators.js';
import { loadLayersModel } from '../src/gather/model/load-model.js';
import { packageRoot } from '../src/util/package-root.js';

/** One layer, in the small vocabulary bench/torch_train.py also understands. */
export type LayerDesc =
  | { type: 'dense'; units: number; activation: 'relu' | 'sigmoid' | 'softmax' }
  | {
      type: 'conv2d';
      filters: number;
      kernelSize: number;
      activation: 'relu' | 'linear';
      padding?: 'same' | 'valid';
      useBias?: boolean;
    }
  | { type: 'maxPooling2d'; poolSize: number }
  | { type: 'batchNorm' }
  | { type: 'relu' }
  | { type: 'dropout'; rate: number }
  | { type: 'flatten' };

export interface CaseData {
  x: tf.Tensor;
  y: tf.Tensor;
  classes: Int32Array;
}
export interface TrainingCase {
  name: string;
  description: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  loss: 'binaryCrossentropy' | 'categoricalCrossentropy';
  inputShape: number[];
  /** Absent for a loaded model: it has no PyTorch twin here. */
  layers?: LayerDesc[];
  /** A model that is not a stack of layers, built by name here and in bench/torch_train.py. */
  graph?: 'tiny-resnet';
  /** Loaded models: the model.json path; null when ../shared is absent. */
  modelPath?: string | null;
  data(): CaseData;
}

const oneHot = (classes: Int32Array, n: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), n).toFloat());

function fromDataset(
  d: { x: Float32Array; y: Float32Array; featureShape: number[] },
  loss: TrainingCase['loss'],
  numClasses: number,
): CaseData {
  const n = d.y.length;
  const classes = Int32Array.from(d.y);
  const x = tf.tensor(d.x, [n, ...d.featureShape]);
  return { x, y: loss === 'binaryCrossentropy' ? tf.tensor2d(d.y, [n, 1]) : oneHot(classes, numClasses), classes };
}

function randomData(rows: number, shape: number[], numClasses: number, seed: number): CaseData {
  const x = tf.randomUniform([rows, ...shape], 0, 1, 'float32', seed);
  const classes = new Int32Array(rows).map((_, i) => (i * 7919 + seed) % numClasses);
  return { x, y: oneHot(classes, numClasses), classes };
}

/**
 * The first `rows` Fashion-MNIST test images from ../shared/datasets, normalized as the pt-* models were trained
 * (pt-make-models.py); random images of the same shape where the shared folder is absent (speed is the same).
 */
function fashionMnist(rows: number): CaseData {
  const dir = path.join(sharedDir(), 'datasets', 'fashion-mnist');
  const images = path.join(dir, 't10k-images-idx3-ubyte.gz');
  if (!existsSync(images)) return randomData(rows, [28, 28, 1], 10, 7);
  const pixels = gunzipSync(readFileSync(images)).subarray(16, 16 + rows * 784);
  const labels = gunzipSync(readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8, 8 + rows);
  const x = tf.tensor4d(
    Float32Array.from(pixels, (p) => (p / 255 - 0.286) / 0.353),
    [rows, 28, 28, 1],
  );
  const classes = Int32Array.from(labels);
  return { x, y: oneHot(classes, 10), classes };
}

export function sharedDir(): string {
  return process.env['NNAUDIT_SHARED'] ?? path.join(packageRoot(), '..', 'shared');
}

export const TRAINING_CASES: TrainingCase[] = [
  {
    name: 'mlp',
    description: 'bench MLP: moons 4000 rows, 3x64 relu, batch 32, 20 epochs, Adam',
    epochs: 20,
    batchSize: 32,
    learningRate: 0.003,
    loss: 'binaryCrossentropy',
    inputShape: [2],
    layers: [
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ],
    data: () =>
      fromDataset(
        generate('moons', { samples: 4000, noise: 0.2, classes: 2, imageSize: 0, seed: 1 }),
        'binaryCrossentropy',
        2,
      ),
  },
  {
    name: 'mlp-784',
    description: 'MLP 784-256-128-10 relu/softmax: 8192 random rows, batch 64, 2 epochs, Adam',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    inputShape: [784],
    layers: [
      { type: 'dense', units: 256, activation: 'relu' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    data: () => randomData(8192, [784], 10, 3),
  },
  {
    name: 'cnn-bars',
    description: 'small CNN of fixtures/specs/cnn-bars.json: 600 12x12 images, batch 32, 8 epochs, Adam',
    epochs: 8,
    batchSize: 32,
    learningRate: 0.005,
    loss: 'categoricalCrossentropy',
    inputShape: [12, 12, 1],
    layers: [
      { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 2, activation: 'softmax' },
    ],
    data: () =>
      fromDataset(
        generate('bars', { samples: 600, noise: 0.3, classes: 2, imageSize: 12, seed: 42 }),
        'categoricalCrossentropy',
        2,
      ),
  },
  {
    name: 'fashion-cnn',
    description:
      'pt-fashion-cnn: 4096 Fashion-MNIST 28x28 images, (conv same-BN-relu-maxpool) x2 (16, 32), dropout 0.3, dense 64, dense 10; batch 64, 2 epochs, Adam',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'linear', padding: 'same' },
      { type: 'batchNorm' },
      { type: 'relu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'linear', padding: 'same' },
      { type: 'batchNorm' },
      { type: 'relu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    data: () => fashionMnist(4096),
  },
  {
    name: 'tiny-resnet',
    description:
      'pt-tiny-resnet: 4096 Fashion-MNIST images, stem conv-BN-relu 16, residual blocks 16 and 32 (stride 2, 1x1 projection), global average pool, dense 10; batch 64, 2 epochs, Adam',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    inputShape: [28, 28, 1],
    graph: 'tiny-resnet',
    data: () => fashionMnist(4096),
  },
  {
    name: 'mobilenetv2',
    description: 'Teachable Machine MobileNetV2 fine-tune: 64 random 224x224x3 images, batch 16, 1 epoch, Adam',
    epochs: 1,
    batchSize: 16,
    learningRate: 0.001,
    loss: 'categoricalCrossentropy',
    inputShape: [224, 224, 3],
    get modelPath() {
      const p = path.join(sharedDir(), 'real-models', 'tfjs-teachable-machine-mobilenetv2', 'tfjs', 'model.json');
      return existsSync(p) ? p : null;
    },
    data: () => randomData(64, [224, 224, 3], 14, 5),
  },
];

/** A fresh, compiled model for a case (new weights each call, so every repetition trains the same way). */
export async function buildCaseModel(c: TrainingCase): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  if (c.graph === 'tiny-resnet') {
    model = tinyResNet(c.inputShape);
  } else if (c.layers) {
    const seq = tf.sequential();
    c.layers.forEach((l, i) => {
      const input = i === 0 ? { inputShape: c.inputShape } : {};
      if (l.type === 'dense') seq.add(tf.layers.dense({ ...input, units: l.units, activation: l.activation }));
      else if (l.type === 'conv2d') {
        seq.add(
          tf.layers.conv2d({
            ...input,
            filters: l.filters,
            kernelSize: l.kernelSize,
            activation: l.activation,
            padding: l.padding ?? 'valid',
            useBias: l.useBias ?? true,
          }),
        );
      } else if (l.type === 'maxPooling2d') seq.add(tf.layers.maxPooling2d({ ...input, poolSize: l.poolSize }));
      else if (l.type === 'batchNorm') seq.add(tf.layers.batchNormalization(input));
      else if (l.type === 'relu') seq.add(tf.layers.reLU(input));
      else if (l.type === 'dropout') seq.add(tf.layers.dropout({ ...input, rate: l.rate }));
      else seq.add(tf.layers.flatten(input));
    });
    model = seq;
  } else {
    if (!c.modelPath)
      throw new Error(`${c.name}: the model is not available (set NNAUDIT_SHARED to the shared folder)`);
    model = (await loadLayersModel(c.modelPath)).model;
  }
  // The Adam nnaudit's gather uses (fused on wasm), so "after" measures what an audit runs.
  model.compile({ optimizer: fusedAdam(c.learningRate), loss: c.loss });
  return model;
}

/** pt-make-models.py's TinyResNet as a tfjs layers model: bias-free convs, each followed by batch norm. */
function tinyResNet(inputShape: number[]): tf.LayersModel {
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor) => tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const block = (x: tf.SymbolicTensor, filters: number, strides: number) => {
    const h = bn(conv(relu(bn(conv(x, filters, 3, strides))), filters, 3, 1));
    const shortcut = strides === 1 && x.shape[3] === filters ? x : bn(conv(x, filters, 1, strides));
    return relu(tf.layers.add().apply([h, shortcut]) as tf.SymbolicTensor);
  };
  const input = tf.input({ shape: inputShape });
  const stem = relu(bn(conv(input, 16, 3, 1)));
  const features = tf.layers.globalAveragePooling2d({}).apply(block(block(stem, 16, 1), 32, 2)) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
