import { tf } from './tf.js';
import { selectBackend, type BackendName } from './backend.js';
import type { Spec } from '../config/spec-schema.js';
import type { Artifacts, StoppedEarly } from '../artifacts/schema.js';
import { loadDataset, prepareData } from './data/prepare.js';
import { type Dataset, rowCount } from './data/dataset.js';
import { makeOptimizer } from './build-model.js';
import { obtainModel } from './obtain-model.js';
import { ProbeRecorder } from './probe-recorder.js';
import { encodeTargets, LOSS_FUNCS } from './targets.js';
import { chooseProbeEpochs } from './probe-schedule.js';
import { fitWithProbes } from './fit.js';
import { assembleArtifacts } from './assemble-artifacts.js';
import { DataError } from '../errors.js';
import { earlyStopCallback, failFastInterval, type ShouldStop } from './early-stop.js';
import { stoppedEarlyText } from '../fix/stopped-text.js';

export { MAX_PROBED_EPOCHS, PROBE_BUDGET, chooseProbeEpochs } from './probe-schedule.js';

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
  /** Fail-fast: judges the run after each probe and stops training when it returns a decision (a fresh one per call). */
  shouldStop?: ShouldStop;
}

/**
 * Trains or loads the model a spec names and records every artifact the analyzers read.
 * No tensor outlives this call: the model, optimizer and data tensors are disposed before it returns.
 * The steps live in their own modules: obtain-model (build or load), data/ (sources, split), fit (training
 * with probes), assemble-artifacts (the JSON document).
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
  const mua = await obtainModel(spec, raw.featureShape, baseDir);
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

    const recorder = new ProbeRecorder(model, xProbe, yProbe, LOSS_FUNCS[mua.loss], true);
    const probe = async (epoch: number, detail: boolean) => {
      if (!options.noProbes) await recorder.probe(epoch, detail);
    };

    // Fail-fast's own probes: timed apart, never part of the artifacts.
    const sentinel = new ProbeRecorder(model, xProbe, yProbe, LOSS_FUNCS[mua.loss], false);
    const tTrain0 = performance.now();
    await probe(0, true);
    let history = mua.history;
    let lastEpoch = 0;
    let stoppedEarly: StoppedEarly | null = null;
    if (mua.epochs > 0) {
      const probedEpochs = chooseProbeEpochs(mua.epochs, spec.data.probeEvery, rowCount(data.probe), rowCount(data.train));
      const stopper = options.shouldStop && !options.noProbes ? earlyStopCallback(model, {
        shouldStop: options.shouldStop, epochs: mua.epochs, probedEpochs, main: recorder, sentinel,
        every: failFastInterval(rowCount(data.probe), rowCount(data.train)),
        snapshot: (h, probes) => assembleArtifacts({ spec, backend, model, mua, raw, data, outputUnits, history: h, recorder: probes, warnings: [], timing: {} }),
      }) : null;
      const fitted = await fitWithProbes(model, { xTrain, yTrain, validation }, {
        epochs: mua.epochs,
        batchSize: mua.batchSize,
        seed: spec.seed,
        probedEpochs,
        recorder: options.noProbes ? null : recorder,
        progress,
        ...(stopper ? { extraCallbacks: [stopper.callback] } : {}),
      });
      history = fitted.history;
      lastEpoch = fitted.lastEpoch;
      warnings.push(...fitted.warnings);
      stoppedEarly = stopper?.stopped() ?? null;
      // A run warning, so the terminal, the HTML report and the e-mail all say where and why training stopped.
      if (stoppedEarly) warnings.push(`training ${stoppedEarlyText(stoppedEarly)}`);
      // gather may have probed the stop epoch already: the full probe below replaces it.
      if (stoppedEarly && recorder.gradients[recorder.gradients.length - 1]?.epoch === lastEpoch) recorder.dropLast();
      await probe(lastEpoch, true);
    }
    const tTrain1 = performance.now();
    progress({ phase: 'done', epoch: lastEpoch, epochs: mua.epochs });
    return assembleArtifacts({
      spec, backend, model, mua, raw, data, outputUnits, history, recorder, warnings, stoppedEarly,
      timing: {
        backendMs: tBackend - t0,
        trainMs: tTrain1 - tTrain0 - recorder.probeMs - sentinel.probeMs,
        ...(options.shouldStop ? { failFastProbeMs: sentinel.probeMs } : {}),
        probeMs: recorder.probeMs,
        totalMs: performance.now() - t0,
      },
    });
  } finally {
    tf.dispose(tensors);
    optimizer.dispose();
    model.dispose();
  }
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
