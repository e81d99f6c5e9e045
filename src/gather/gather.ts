import { tf } from './tf.js';
import { selectBackend, type BackendName } from './backend.js';
import { explainWasmError } from './wasm/memory-guard.js';
import type { Spec, LossName, OptimizerSpec, MetricName } from '../config/spec-schema.js';
import { ARTIFACTS_VERSION, type Artifacts, type History, type ModelInfo } from '../artifacts/schema.js';
import { readHistoryFile } from '../artifacts/read-history.js';
import { loadDataset, prepareData, type PreparedData } from './data/prepare.js';
import { type Dataset, rowCount } from './data/dataset.js';
import { buildModel, makeOptimizer } from './build-model.js';
import { loadLayersModel } from './load-model.js';
import { describeModel } from './model-graph.js';
import { ProbeRecorder, appendEpochLogs } from './probe-recorder.js';
import { classPriors, encodeTargets, LOSS_FUNCS, trivialLoss } from './targets.js';
import { withSeededMathRandom } from './seeded-random.js';
import { DataError, SpecError } from '../errors.js';
import path from 'node:path';

export interface GatherProgress {
  phase: 'load' | 'train' | 'probe' | 'done';
  epoch: number;
  epochs: number;
  logs?: Record<string, number>;
  message?: string;
}

export interface GatherOptions {
  /** Folder that relative paths in the spec resolve against (the spec file's folder). */
  baseDir?: string;
  backend?: BackendName | 'auto';
  onProgress?: (p: GatherProgress) => void;
  /** Skip all probes (for benchmarking plain fit). */
  noProbes?: boolean;
}

/** Probing every epoch of a long run adds cost without adding insight: at most this many probes, spread out. */
export const MAX_PROBED_EPOCHS = 20;
/** Share of an epoch's compute a probe may cost before "auto" probes less often (the <= 1.10x overhead goal). */
export const PROBE_BUDGET = 0.05;

interface ModelUnderAudit {
  model: tf.LayersModel;
  source: ModelInfo['source'];
  location: string | null;
  loss: LossName;
  optimizer: OptimizerSpec;
  epochs: number;
  batchSize: number;
  metrics: MetricName[] | undefined;
  history: History | null;
}

/**
 * Trains or loads the model a spec names and records every artifact the analyzers read.
 * No tensor outlives this call: the model, optimizer and data tensors are disposed before it returns.
 *
 * @example
 *   const artifacts = await gather(spec, { baseDir: 'fixtures/specs' });
 */
export async function gather(spec: Spec, options: GatherOptions = {}): Promise<Artifacts> {
  const t0 = performance.now();
  const baseDir = options.baseDir ?? process.cwd();
  const progress = options.onProgress ?? (() => undefined);
  const backend = await selectBackend(options.backend);
  const tBackend = performance.now();
  const warnings: string[] = [];
  const raw = loadDataset(spec.data, spec.seed, baseDir);
  progress({ phase: 'load', epoch: 0, epochs: 0, message: `data: ${rowCount(raw)} rows from ${raw.source}` });
  const mua = await obtainModel(spec, raw, baseDir);
  const { model } = mua;
  const tensors: tf.Tensor[] = [];
  const optimizer = makeOptimizer(mua.optimizer);
  try {
    checkInputFits(model, raw);
    const validationSplit = 'train' in spec.model ? spec.model.train.validationSplit : spec.model.load.validationSplit;
    const data = prepareData(raw, spec.data, validationSplit, spec.seed);
    const outputUnits = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
    const track = <T extends tf.Tensor>(t: T): T => { tensors.push(t); return t; };
    const toX = (d: Dataset) => track(tf.tensor(d.x, [rowCount(d), ...d.featureShape]));
    const toY = (d: Dataset) => track(encodeTargets(d, mua.loss, outputUnits));
    const xTrain = toX(data.train);
    const yTrain = toY(data.train);
    const validation = data.validation ? [toX(data.validation), toY(data.validation)] as [tf.Tensor, tf.Tensor] : undefined;
    const xProbe = toX(data.probe);
    const yProbe = toY(data.probe);
    const metrics = mua.metrics ?? (raw.task === 'classification' ? ['accuracy'] : []);
    model.compile({ optimizer, loss: mua.loss, metrics });
    const lossFn = LOSS_FUNCS[mua.loss];

    const probedEpochs = chooseProbeEpochs(mua.epochs, spec.data.probeEvery, rowCount(data.probe), rowCount(data.train));
    const recorder = new ProbeRecorder(model, xProbe, yProbe, lossFn, true);
    const probe = async (epoch: number, detail: boolean) => {
      if (!options.noProbes) await recorder.probe(epoch, detail);
    };

    const tTrain0 = performance.now();
    await probe(0, true);
    let history = mua.history;
    let lastEpoch = 0;
    if (mua.epochs > 0) {
      const trained: History = { epochs: [], series: {} };
      await withSeededMathRandom(spec.seed, () => model.fit(xTrain, yTrain, {
        epochs: mua.epochs,
        batchSize: mua.batchSize,
        shuffle: true,
        verbose: 0,
        ...(validation ? { validationData: validation } : {}),
        callbacks: {
          // A per-batch hook costs a little per step: only register it when probing.
          ...(options.noProbes ? {} : { onBatchBegin: () => recorder.onBatchBegin() }),
          onEpochEnd: async (epochIndex: number, logs?: tf.Logs) => {
            const epoch = epochIndex + 1;
            lastEpoch = epoch;
            await recorder.onEpochEnd();
            appendEpochLogs(trained, epoch, logs);
            progress({ phase: 'train', epoch, epochs: mua.epochs, logs: { ...(logs ?? {}) } });
            const lossNow = logs?.['loss'];
            const diverged = lossNow !== undefined && !Number.isFinite(lossNow);
            if (diverged) {
              warnings.push(`training stopped at epoch ${epoch}: the loss became ${lossNow}`);
              model.stopTraining = true;
            }
            if (epoch < mua.epochs && !diverged && probedEpochs.has(epoch)) await probe(epoch, false);
          },
        },
      }));
      history = trained;
      await probe(lastEpoch, true);
    }
    const tTrain1 = performance.now();
    progress({ phase: 'done', epoch: lastEpoch, epochs: mua.epochs });
    return {
      artifactsVersion: ARTIFACTS_VERSION,
      createdAt: new Date().toISOString(),
      backend: { name: backend.name, reason: backend.reason, tfjsVersion: backend.tfjsVersion },
      seed: spec.seed,
      model: { ...describeModel(model, mua.source, mua.location, mua.loss, { name: mua.optimizer.name, learningRate: mua.optimizer.learningRate }), name: spec.name ?? model.name },
      data: dataInfo(raw, data, mua.loss, outputUnits),
      history,
      gradients: recorder.gradients,
      weights: recorder.weights,
      activations: recorder.activations,
      timing: {
        backendMs: tBackend - t0,
        trainMs: tTrain1 - tTrain0 - recorder.probeMs,
        probeMs: recorder.probeMs,
        totalMs: performance.now() - t0,
      },
      warnings,
    };
  } catch (e) {
    // A WebAssembly trap carries the emscripten glue in its stack: the user gets one line and the fix instead.
    throw explainWasmError(e);
  } finally {
    tf.dispose(tensors);
    optimizer.dispose();
    model.dispose();
  }
}

async function obtainModel(spec: Spec, raw: Dataset, baseDir: string): Promise<ModelUnderAudit> {
  if ('train' in spec.model) {
    const t = spec.model.train;
    const inputShape = t.inputShape ?? raw.featureShape;
    return {
      model: buildModel(t, inputShape, spec.seed, spec.name), source: 'trained', location: null, loss: t.loss, optimizer: t.optimizer,
      epochs: t.epochs, batchSize: t.batchSize, metrics: t.metrics, history: null,
    };
  }
  const l = spec.model.load;
  const location = /^https?:\/\//i.test(l.path) ? l.path : path.resolve(baseDir, l.path);
  const loaded = await loadLayersModel(location, l.architecture ? path.resolve(baseDir, l.architecture) : undefined);
  const loss = l.loss ?? loaded.training.loss;
  if (loss === undefined) {
    loaded.model.dispose();
    const why = loaded.training.rawLoss ? `its loss "${loaded.training.rawLoss}" is not one nnaudit knows` : 'model.json has no training config';
    throw new SpecError(`${location}: ${why}; say which loss it was trained with: --loss (or model.load.loss) ` +
      'binaryCrossentropy | categoricalCrossentropy | sparseCategoricalCrossentropy | meanSquaredError | meanAbsoluteError');
  }
  const history = l.history ? readHistoryFile(path.resolve(baseDir, l.history)) : null;
  return {
    model: loaded.model, source: 'loaded', location, loss, optimizer: loaded.training.optimizer ?? l.optimizer,
    epochs: l.epochs, batchSize: l.batchSize, metrics: l.metrics, history,
  };
}

function checkInputFits(model: tf.LayersModel, d: Dataset): void {
  const expected = model.inputs[0]!.shape.slice(1);
  const fits = expected.length === d.featureShape.length && expected.every((dim, i) => dim === null || dim === d.featureShape[i]);
  if (!fits) {
    throw new DataError(`${d.source}: each sample has shape [${d.featureShape.join(', ')}]` +
      `${d.featureNames.length ? ` (${d.featureNames.length} feature columns)` : ''}, but the model's input expects ` +
      `[${expected.map((x) => x ?? '?').join(', ')}]: choose the matching feature columns (data.features) or a model built for this data`);
  }
}

function dataInfo(raw: Dataset, data: PreparedData, loss: LossName, outputUnits: number): Artifacts['data'] {
  const priors = raw.task === 'classification' ? classPriors(data.train) : null;
  return {
    source: raw.source,
    task: raw.task,
    numClasses: raw.numClasses,
    trainSize: rowCount(data.train),
    validationSize: data.validation ? rowCount(data.validation) : 0,
    probeSize: rowCount(data.probe),
    normalize: data.normalize,
    featureRange: data.featureRange,
    chanceAccuracy: priors ? Math.max(...priors) : null,
    trivialLoss: trivialLoss(data.train, loss, outputUnits),
  };
}

/**
 * Epochs after which to probe gradients: every `every` epochs ("auto": as often as PROBE_BUDGET allows, judged by
 * probe rows vs training rows, since a probe is one forward+backward pass over its rows), at most
 * MAX_PROBED_EPOCHS, spread evenly. The first (0) and last epochs are always probed in full detail by the caller.
 */
export function chooseProbeEpochs(epochs: number, every: number | 'auto' = 1, probeRows = 0, trainRows = 1): Set<number> {
  const interval = every === 'auto' ? Math.max(1, Math.ceil(probeRows / (PROBE_BUDGET * Math.max(1, trainRows)))) : every;
  const candidates = Array.from({ length: Math.floor(epochs / interval) }, (_, i) => (i + 1) * interval);
  if (candidates.length <= MAX_PROBED_EPOCHS) return new Set(candidates);
  const step = candidates.length / MAX_PROBED_EPOCHS;
  return new Set(Array.from({ length: MAX_PROBED_EPOCHS }, (_, i) => candidates[Math.min(candidates.length - 1, Math.round((i + 1) * step) - 1)]!));
}
