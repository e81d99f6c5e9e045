/**
 * Is an imported ONNX conv net as fast to fine-tune as the same net built from a spec? Fits ../shared's
 * pt-fashion-cnn training export (Conv-BN-ReLU-MaxPool x2, Flatten, Dropout, Dense 64, Dense 10) and its twin built
 * by nnaudit from a spec, on the same 4096 images (random pixels: only the speed is measured), batch 64, Adam,
 * alternated in one process on the wasm backend. Prints medians per step (wall and CPU) and the ratio.
 * Usage: node dist/bench/onnx-speed.js [reps]
 */
import path from 'node:path';
import { cpuMsSince } from '../src/util/cpu-time.js';
import { existsSync } from 'node:fs';
import { selectBackend } from '../src/gather/backend/backend.js';
import { buildModel } from '../src/gather/model/build-model.js';
import { loadLayersModel } from '../src/gather/model/load-model.js';
import { compileForAudit } from '../src/gather/train/losses.js';
import { tf } from '../src/gather/tf.js';
import type { TrainModelSpec } from '../src/config/spec-schema.js';
import { specSchema } from '../src/config/spec-schema.js';
import { sharedDir } from './training-cases.js';

const ROWS = 4096;
const BATCH = 64;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** The spec twin: what a user would write for the same architecture in nnaudit's spec. */
function twinSpec(): TrainModelSpec {
  const spec = specSchema.parse({
    data: { generator: 'blobs' },
    model: {
      train: {
        loss: 'sparseCategoricalCrossentropy',
        fromLogits: true,
        epochs: 1,
        batchSize: BATCH,
        layers: [
          { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'linear' },
          { type: 'batchNormalization' },
          { type: 'activation', activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'linear' },
          { type: 'batchNormalization' },
          { type: 'activation', activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dropout', rate: 0.3 },
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dense', units: 10, activation: 'linear' },
        ],
      },
    },
  });
  if (!('train' in spec.model)) throw new Error('unreachable');
  return spec.model.train;
}

async function fitMs(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<{ wall: number; cpu: number }> {
  compileForAudit(model, tf.train.adam(1e-3), 'sparseCategoricalCrossentropy', true, []);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, shuffle: false });
  const cpu = cpuMsSince(c0);
  const steps = Math.ceil(ROWS / BATCH);
  return { wall: (performance.now() - t0) / steps, cpu: cpu / steps };
}

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 3);
  const file = path.join(sharedDir(), 'real-models', 'pt-fashion-cnn', 'model-train.onnx');
  if (!existsSync(file)) {
    process.stdout.write(
      `${JSON.stringify({ skipped: `${file} not found (put shared/ beside the checkout or set NNAUDIT_SHARED)` })}\n`,
    );
    return;
  }
  const backend = await selectBackend('wasm');
  const xNchw = tf.randomUniform([ROWS, 1, 28, 28], -1, 2, 'float32', 1);
  const xNhwc = tf.transpose(xNchw, [0, 2, 3, 1]);
  const y = tf.randomUniform([ROWS, 1], 0, 10, 'int32', 2).cast('float32');
  const onnx: number[] = [];
  const spec: number[] = [];
  const onnxCpu: number[] = [];
  const specCpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const imported = (await loadLayersModel(file)).model;
    const a = await fitMs(imported, xNchw, y);
    imported.dispose();
    const built = buildModel(twinSpec(), [28, 28, 1], 42);
    const b = await fitMs(built, xNhwc, y);
    built.dispose();
    onnx.push(a.wall);
    onnxCpu.push(a.cpu);
    spec.push(b.wall);
    specCpu.push(b.cpu);
  }
  const row = {
    backend: backend.name,
    reps,
    rows: ROWS,
    batch: BATCH,
    onnxMsPerStep: median(onnx),
    specMsPerStep: median(spec),
    ratio: median(onnx) / median(spec),
    onnxCpuMsPerStep: median(onnxCpu),
    specCpuMsPerStep: median(specCpu),
    cpuRatio: median(onnxCpu) / median(specCpu),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  tf.dispose([xNchw, xNhwc, y]);
}

await main();
