/**
 * One backend, one process: wall time of plain model.fit vs the same fit with full diagnostics,
 * alternated `reps` times. Prints one JSON line. Run through bench/run.ts, which sets NNAUDIT_BACKEND.
 */
import { gather } from '../src/gather/gather.js';
import { validateSpec } from '../src/config/load-spec.js';
import type { SpecInput } from '../src/config/spec-schema.js';
import { selectBackend } from '../src/gather/backend/backend.js';
import { tf } from '../src/gather/tf.js';
import path from 'node:path';
import { packageRoot } from '../src/util/package-root.js';
import { cpuMsSince } from '../src/util/cpu-time.js';

export const BENCH_MODELS: Record<string, SpecInput> = {
  // An MLP on 4000 moons, 20 epochs: a typical small tabular audit.
  mlp: {
    seed: 1,
    data: { generator: 'moons', samples: 4000, noise: 0.2, normalize: 'standardize' },
    model: {
      train: {
        layers: [
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
        loss: 'binaryCrossentropy',
        epochs: 20,
        batchSize: 32,
        optimizer: { name: 'adam', learningRate: 0.003 },
      },
    },
  },
  // A small CNN on 3000 16x16 images, 10 epochs: exercises the conv gradient kernels.
  cnn: {
    seed: 1,
    data: { generator: 'bars', samples: 3000, noise: 0.3, imageSize: 16, probeSize: 128 },
    model: {
      train: {
        layers: [
          { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
          { type: 'flatten' },
          { type: 'dense', units: 2, activation: 'softmax' },
        ],
        loss: 'categoricalCrossentropy',
        epochs: 10,
        batchSize: 32,
        optimizer: { name: 'adam', learningRate: 0.005 },
      },
    },
  },
};
// The same CNN on 600 images, 3 epochs: small enough for the pure-JS cpu backend in a backend comparison.
BENCH_MODELS['cnn-small'] = {
  ...BENCH_MODELS['cnn']!,
  data: { generator: 'bars', samples: 600, noise: 0.3, imageSize: 16, probeSize: 128 },
  model: { train: { ...(BENCH_MODELS['cnn']!.model as { train: object }).train, epochs: 3 } },
} as SpecInput;

// Issue 25's conv case: the pt-fashion-cnn architecture on the 10,000 Fashion-MNIST test images (../shared), one
// epoch of 8,000 training rows at batch 64: 125 steps, as the training bench's 4,096 images x 2 epochs (128).
const shared = path.resolve(process.env['NNAUDIT_SHARED'] ?? path.join(packageRoot(), '..', 'shared'));
const fashion = path.join(shared, 'datasets', 'fashion-mnist');
BENCH_MODELS['fashion-cnn'] = {
  seed: 1,
  data: {
    idx: {
      images: path.join(fashion, 't10k-images-idx3-ubyte.gz'),
      labels: path.join(fashion, 't10k-labels-idx1-ubyte.gz'),
    },
    rescale: 1 / 255,
    probeSize: 256,
  },
  model: {
    train: {
      layers: [
        { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same' },
        { type: 'batchNormalization' },
        { type: 'activation', activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same' },
        { type: 'batchNormalization' },
        { type: 'activation', activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.3 },
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      loss: 'sparseCategoricalCrossentropy',
      epochs: 1,
      batchSize: 64,
      validationSplit: 0.2,
      optimizer: { name: 'adam', learningRate: 0.001 },
    },
  },
} as SpecInput;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function main(): Promise<void> {
  const [modelName = 'mlp', repsText = '5', mode = 'both'] = process.argv.slice(2);
  const spec = validateSpec(BENCH_MODELS[modelName]);
  const backend = await selectBackend();
  await gather(spec, { noProbes: true }); // warm-up: kernels compiled, wasm initialized
  const plain: number[] = [];
  const full: number[] = [];
  const probe: number[] = [];
  // The same spans in the process's CPU time (timing.trainCpuMs, probeCpuMs): a job next door stretches wall time,
  // not CPU time.
  const plainTrainCpu: number[] = [];
  const fullTrainProbeCpu: number[] = [];
  // The two parts of a full run apart: its training (the same work as a plain run's) and its probes.
  const fullTrain: number[] = [];
  const probeCpu: number[] = [];
  // Process CPU time of each whole gather as well: on a shared machine wall time swings with other jobs' load.
  const plainCpu: number[] = [];
  const fullCpu: number[] = [];
  const cpuOf = async <T>(into: number[], run: () => Promise<T>): Promise<T> => {
    const start = process.cpuUsage();
    const out = await run();
    into.push(cpuMsSince(start));
    return out;
  };
  const runPlain = async () => {
    const p = await cpuOf(plainCpu, () => gather(spec, { noProbes: true }));
    plain.push(p.timing['trainMs']!);
    plainTrainCpu.push(p.timing['trainCpuMs']!);
  };
  const runFull = async () => {
    const f = await cpuOf(fullCpu, () => gather(spec));
    full.push(f.timing['trainMs']! + f.timing['probeMs']!);
    fullTrain.push(f.timing['trainMs']!);
    probe.push(f.timing['probeMs']!);
    probeCpu.push(f.timing['probeCpuMs']!);
    fullTrainProbeCpu.push(f.timing['trainCpuMs']! + f.timing['probeCpuMs']!);
  };
  for (let i = 0; i < Number(repsText); i++) {
    if (mode === 'plain') {
      await runPlain();
      continue;
    }
    // Alternate which goes first, so a drift in machine load does not favour one side.
    for (const run of i % 2 === 0 ? [runPlain, runFull] : [runFull, runPlain]) await run();
  }
  process.stdout.write(
    `${JSON.stringify({
      model: modelName,
      backend: backend.name,
      reps: plain.length,
      plainMs: median(plain),
      fullMs: full.length ? median(full) : null,
      probeMs: probe.length ? median(probe) : null,
      ratio: full.length ? median(full.map((f, i) => f / plain[i]!)) : null,
      // Training plus probes against training alone, in CPU time.
      cpuRatio: fullTrainProbeCpu.length ? median(fullTrainProbeCpu.map((f, i) => f / plainTrainCpu[i]!)) : null,
      // The same overhead without the run-to-run spread of two trainings: 1 + probe time / the adjacent plain run's
      // training time, by wall and by CPU time. On a shared machine two runs of the same 125 steps differ by up to
      // 10% (other jobs' load), as much as the whole overhead; `ratio` carries that spread, these do not.
      probeShare: probe.length ? 1 + median(probe.map((p, i) => p / plain[i]!)) : null,
      probeCpuShare: probeCpu.length ? 1 + median(probeCpu.map((p, i) => p / plainTrainCpu[i]!)) : null,
      // Training with the probes' hooks against training alone (1.0: probing does not slow the steps between probes).
      trainRatio: fullTrain.length ? median(fullTrain.map((f, i) => f / plain[i]!)) : null,
      // The whole gather (data, references, evaluation too), in CPU time.
      gatherCpuRatio: fullCpu.length ? median(fullCpu.map((f, i) => f / plainCpu[i]!)) : null,
      numTensors: tf.memory().numTensors,
    })}\n`,
  );
}

await main();
