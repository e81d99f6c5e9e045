import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { parseNpy } from '../../src/gather/data/npy-format.js';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { tf } from '../../src/gather/tf.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';
import { runCli, STACK_LINE } from '../helpers/cli.js';

/**
 * PyTorch models exported to ONNX (../shared/real-models/pt-*, made by pt-make-models.py with Debian's python3-torch),
 * audited on their real data with the CLI a PyTorch user runs: what each model's label implies must come out, and
 * where PyTorch computed a number (truth.json), nnaudit must report the same one.
 */
const MODELS = sharedPath('real-models');
const PNG = sharedPath('datasets', 'fashion-mnist-png');
const CHURN = sharedPath('datasets', 'churn-modelling.csv');
/** Fashion-MNIST label order: the order the models were trained with (sorted folder names would differ). */
const CLASSES = 't-shirt,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle-boot';
/** torchvision ToTensor() + Normalize(0.2860, 0.3530), as pt-make-models.py fed the CNNs. */
const FASHION_FLAGS = [
  '--data',
  PNG,
  '--classes',
  CLASSES,
  '--rescale',
  '1/255',
  '--mean',
  '0.2860',
  '--std',
  '0.3530',
  '--loss',
  'sparseCategoricalCrossentropy',
  '--validation-split',
  '0',
];

interface Result {
  model: { fromLogits?: boolean; inputLayout?: string; layers: Array<{ name: string }> };
  evaluation: { rows: number; metrics: Record<string, number | null>; loss: number } | null;
  findings: Array<{ id: string; status: string; displayValue: string; affectedLayers: string[] }>;
  training: { history: { epochs: number[]; series: Record<string, number[]> } | null };
  measurements: { gradients: Array<{ epoch: number; layers: Array<{ layer: string; kernelNorm: number | null }> }> };
}

async function audit(args: string[]): Promise<Result> {
  const run = await runCli(['audit', ...args, '--json', '--quiet']);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.code, run.stderr).not.toBe(2);
  return JSON.parse(run.stdout) as Result;
}

const truth = (model: string) =>
  JSON.parse(readFileSync(path.join(MODELS, model, 'truth.json'), 'utf8')) as Record<string, Record<string, number>>;
const finding = (r: Result, id: string) => r.findings.find((f) => f.id === id)!;

describeWith(['shared'], 'PyTorch models exported to ONNX, on their real data', () => {
  // truth.json was computed after the training-mode export, whose one train-mode forward moved BatchNorm's running
  // statistics (pt-make-models.py exports model.onnx first, then model-train.onnx, then measures): so it holds for the
  // weights in model-train.onnx, evaluated in inference mode.
  it.each([['pt-fashion-cnn'], ['pt-tiny-resnet']])(
    '%s: accuracy and cross-entropy on the 600 Fashion-MNIST PNGs are what PyTorch computes',
    async (name) => {
      const r = await audit(['--model', path.join(MODELS, name, 'model-train.onnx'), ...FASHION_FLAGS]);
      const t = truth(name)['fashion-mnist-png']!;
      expect(r.model.fromLogits).toBe(true); // the graph ends in Gemm: CrossEntropyLoss took logits
      expect(r.model.inputLayout).toBe('channelsFirst');
      expect(r.evaluation?.rows).toBe(600);
      expect(r.evaluation!.metrics['accuracy']).toBeCloseTo(t['accuracy']!, 3);
      expect(r.evaluation!.loss).toBeCloseTo(t['meanLoss']!, 3);
      console.log(
        `${name}: accuracy ${r.evaluation!.metrics['accuracy']} (PyTorch ${t['accuracy']}), loss ${r.evaluation!.loss} (PyTorch ${t['meanLoss']})`,
      );
    },
    600_000,
  );

  it('pt-fashion-cnn model.onnx (the eval export, BatchNorm folded in before the statistics moved) scores what PyTorch computes from its weights', async () => {
    const r = await audit(['--model', path.join(MODELS, 'pt-fashion-cnn', 'model.onnx'), ...FASHION_FLAGS]);
    // Measured by hand with Debian's python3-torch 1.13: F.conv2d/F.relu/F.max_pool2d/F.linear with model.onnx's
    // initializers (onnx.numpy_helper) on the same PNGs (PIL, x/255, Normalize(0.2860, 0.3530)).
    expect(r.evaluation!.metrics['accuracy']).toBeCloseTo(0.88667, 4);
    expect(r.evaluation!.loss).toBeCloseTo(0.31757, 4);
    expect(r.model.layers.map((l) => l.name)).toEqual(expect.arrayContaining(['conv1', 'conv2', 'fc1', 'fc2']));
  }, 600_000);

  it('pt-churn-mlp-dying-relu: fails dead-relu and underfits on the churn CSV with its preprocessing, judged on its Lightning log', async () => {
    const r = await audit([
      '--model',
      path.join(MODELS, 'pt-churn-mlp-dying-relu', 'model.onnx'),
      '--data',
      CHURN,
      '--label',
      'Exited',
      '--features',
      'CreditScore,Age,Tenure,Balance,NumOfProducts,HasCrCard,IsActiveMember,EstimatedSalary,Gender,Geography',
      '--categorical',
      'Geography,Gender:ordinal',
      '--normalize',
      'standardize',
      '--loss',
      'binaryCrossentropy',
      '--history',
      path.join(MODELS, 'pt-churn-mlp-dying-relu', 'metrics.csv'),
    ]);
    expect(r.model.fromLogits).toBe(true);
    const dead = finding(r, 'dead-relu');
    expect(dead.status).toBe('fail');
    // PyTorch: 96.9% of the second hidden layer dead on all rows (truth.json); the audit probes a subset.
    expect(dead.displayValue).toMatch(/^(9\d|100)(\.\d)?% dead/);
    expect(['fail', 'warn']).toContain(finding(r, 'underfitting').status);
    expect(r.training.history?.series['val_loss']?.length).toBe(5); // the user's real run, one row per epoch
  }, 600_000);

  it.each([['pt-fashion-cnn'], ['pt-tiny-resnet']])(
    '%s: the training-mode export fine-tunes for an epoch; every conv and dense layer gets a gradient',
    async (name) => {
      const r = await audit([
        '--model',
        path.join(MODELS, name, 'model-train.onnx'),
        ...FASHION_FLAGS.slice(0, -2),
        '--validation-split',
        '0.2',
        '--epochs',
        '1',
        '--batch-size',
        '64',
      ]);
      const last = r.measurements.gradients.at(-1)!;
      const weighted = last.layers.filter((l) => l.kernelNorm !== null);
      expect(weighted.length).toBeGreaterThanOrEqual(name === 'pt-fashion-cnn' ? 4 : 7);
      for (const l of weighted) expect(l.kernelNorm, l.layer).toBeGreaterThan(0);
      // Names are PyTorch's module paths, not ONNX node ids.
      expect(r.model.layers.map((l) => l.name).join(' ')).toMatch(
        name === 'pt-fashion-cnn' ? /conv1.*conv2.*fc1.*fc2/ : /layer1.*layer2.*fc/,
      );
      expect(finding(r, 'non-finite-values').status).toBe('pass');
    },
    600_000,
  );

  // probe-logits.npy, like truth.json, was computed after the training-mode export moved BatchNorm's running statistics
  // (pt-make-models.py exports first): it is model-train.onnx, in inference mode, that holds those weights. model.onnx,
  // exported before, gives logits 7.8% smaller; an independent NumPy/torch evaluation of model.onnx's own graph gives
  // the same numbers nnaudit does.
  it('pt-mobilenetv3-small-untrained: logits on the probe inputs match PyTorch to 1e-4; the training export fine-tunes', async () => {
    await selectBackend('wasm');
    const dir = path.join(MODELS, 'pt-mobilenetv3-small-untrained');
    const input = parseNpy(readFileSync(path.join(dir, 'probe-input.npy')), 'probe-input.npy');
    const logits = parseNpy(readFileSync(path.join(dir, 'probe-logits.npy')), 'probe-logits.npy');
    const { model } = await loadLayersModel(path.join(dir, 'model-train.onnx'));
    const x = tf.tensor(input.data, input.shape);
    const y = model.predict(x) as tf.Tensor;
    const got = await y.data();
    const scale = Math.max(...Array.from(logits.data, Math.abs));
    const worst = Math.max(...Array.from(logits.data, (v, i) => Math.abs(got[i]! - v))) / scale;
    console.log(
      `MobileNetV3-small: ${model.layers.length} layers, max |logit - PyTorch| / max |logit| = ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([y]);
    model.dispose();

    const evalExport = (await loadLayersModel(path.join(dir, 'model.onnx'))).model;
    const e = evalExport.predict(x) as tf.Tensor;
    expect(Array.from(await e.data()).every(Number.isFinite)).toBe(true);
    tf.dispose(e);
    evalExport.dispose();

    const train = (await loadLayersModel(path.join(dir, 'model-train.onnx'))).model;
    train.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const labels = tf.oneHot(tf.tensor1d([0, 3, 5, 9], 'int32'), 10);
    const h = await train.fit(x, labels, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(h.history['loss']!.every((v) => Number.isFinite(v as number))).toBe(true);
    tf.dispose([x, labels]);
    train.dispose();
  }, 600_000);
});
