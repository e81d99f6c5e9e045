import { tf } from '../tf.js';
import {
  ARTIFACTS_VERSION,
  type Artifacts,
  type History,
  type LinearFit,
  type NeighbourFit,
  type ValidationVote,
} from '../../artifacts/schema.js';
import type { LossName } from '../../config/spec-schema.js';
import { describeModel } from '../model/model-graph.js';
import { ProbeRecorder, appendEpochLogs } from './probe-recorder.js';
import { LOSS_FUNCS } from './losses.js';
import { chooseProbeEpochs } from './probe-schedule.js';
import { lossBeforeEndPoint, type LossBeforeEndPoint } from './fit.js';
import { summarizeTargetTensor } from '../reference/target-summary.js';
import { fitLinearBaseline } from '../reference/linear-fit.js';
import { LINEAR_FIT_MAX_FEATURES, LINEAR_FIT_MAX_ROWS } from '../reference/fit-rows.js';
import { type Dataset, isSingleLabelClassification, rowCount } from '../data/dataset.js';
import { classRecall } from '../reference/evaluate.js';
import { fitNeighbours, neighbourVoteSkip, voteFromValidation } from '../reference/neighbour-fit.js';
import { DataError } from '../../errors.js';

/** Inputs and targets encoded for the loss, as the probe takes them: rows along the first axis. */
export interface Rows {
  x: tf.Tensor;
  y: tf.Tensor;
}

export interface CallbackOptions {
  /** A small batch of inputs and encoded targets (128-512 rows) used for gradient and activation probes. */
  probe: { x: tf.Tensor; y: tf.Tensor };
  loss: LossName;
  /** Total epochs planned, to spread the probes (default: probe every epoch). */
  epochs?: number;
  /** Probe every N epochs (default 1). */
  every?: number;
  /**
   * Rows for the linear baseline (data.linearFit: logistic regression for a classifier, least squares for a
   * regression loss), which missing-nonlinearity and underfitting set beside the network. Give your training rows
   * (the first 4000 are used), and optionally validation rows to score it on; the callback cannot see the rows
   * model.fit trains on. Without this option the fit is made on the probe rows, and the report says so ("probe
   * rows"): fewer rows, scored on the rows it was fitted to. `false`: no linear fit. The rows are copied when the
   * callback is made, so the tensors stay yours. For a single-label classifier the training rows given here also get
   * the neighbour vote at the end of training (data.neighbourFit: how closely these rows can be fit, beside the
   * network's answers on them), which underfitting reads; the probe rows do not (the network was not fit on them).
   */
  baseline?: (Rows & { validation?: Rows }) | false;
}

/**
 * A tfjs callback that records nnaudit artifacts inside your own `model.fit`. The probe (and baseline) tensors
 * stay yours (not disposed). At the end of training it fits the same linear baseline gather fits (data.linearFit):
 * to `baseline` rows when given, else to the probe rows (see CallbackOptions.baseline).
 *
 * @example
 *   const cb = nnauditCallback({ probe: { x: xVal.slice(0, 256), y: yVal.slice(0, 256) }, loss: 'categoricalCrossentropy',
 *     baseline: { x: xTrain, y: yTrain, validation: { x: xVal, y: yVal } } });
 *   await model.fit(xTrain, yTrain, { epochs: 20, validationData: [xVal, yVal], callbacks: [cb] });
 *   const result = analyze(cb.artifacts());
 */
export function nnauditCallback(options: CallbackOptions): tf.Callback & { artifacts(): Artifacts } {
  const lossFn = LOSS_FUNCS[options.loss];
  // Copied now, so the caller may dispose the tensors; fitted once, at the end of training (as gather fits after training).
  const baseline =
    options.baseline === false
      ? null
      : options.baseline
        ? {
            train: baselineRows(options.baseline, options.loss, 'baseline.x/y'),
            validation: options.baseline.validation
              ? baselineRows(options.baseline.validation, options.loss, 'baseline.validation')
              : null,
            rowsFrom: 'training rows given to nnauditCallback',
          }
        : {
            train: baselineRows(options.probe, options.loss, 'probe'),
            validation: null,
            rowsFrom: 'probe rows (no baseline rows were given to nnauditCallback)',
          };
  let linear: { fit: LinearFit; ms: number } | null = null;
  let neighbours: { fit: NeighbourFit; ms: number } | null = null;
  let validationVote: ValidationVote | null = null;
  /**
   * The neighbour vote on the caller's training rows, paired with the trained network's answers on them: only for a
   * single-label classifier, and only when the rows are the caller's training rows (not the probe-row fallback).
   */
  const neighbourVote = async (m: tf.LayersModel): Promise<void> => {
    const train = baseline && options.baseline ? baseline.train : null;
    if (!train || !isSingleLabelClassification(train)) return;
    const t0 = performance.now();
    // No prediction for rows the vote would skip anyway (too many features): the skip itself is recorded, as gather records it.
    if (neighbourVoteSkip(train) !== null) {
      neighbours = { fit: fitNeighbours(train, []), ms: performance.now() - t0 };
      return;
    }
    const x = tf.tensor(train.x, [rowCount(train), ...train.featureShape]);
    try {
      const answers = await classRecall(m, x, train.y, train.numClasses, 256);
      neighbours = { fit: fitNeighbours(train, answers.correct), ms: performance.now() - t0 };
    } finally {
      x.dispose();
    }
    // The training labels checked against the caller's validation rows (label-noise), as gather does.
    if (baseline?.validation) validationVote = voteFromValidation(train, baseline.validation);
  };
  const linearFit = () => {
    if (baseline && !linear) {
      const t0 = performance.now();
      const fit = fitLinearBaseline(baseline.train, baseline.validation, options.loss, baseline.rowsFrom);
      linear = { fit, ms: performance.now() - t0 };
    }
    return linear;
  };
  const probed = options.epochs ? chooseProbeEpochs(options.epochs, options.every ?? 1) : null;
  let model: tf.LayersModel | null = null;
  let recorder: ProbeRecorder | null = null;
  const start = performance.now();
  const history: History = { epochs: [], series: {} };
  let snapshot: Artifacts | null = null;
  // Where to record the probe loss half-way through the last epoch (as gather does), or null.
  let beforeEnd: LossBeforeEndPoint | null = null;
  let epochNow = 0;
  // tf.Callback (unlike CustomCallback) keeps the model fit() hands it.
  class NnauditCallback extends tf.Callback {
    override async onTrainBegin(): Promise<void> {
      model = this.model as tf.LayersModel;
      // Update sizes are not tracked here: that needs a per-batch hook inside the caller's fit.
      recorder = new ProbeRecorder(model, options.probe.x, options.probe.y, lossFn, false);
      await recorder.probe(0, true);
      // fit() passes its plan in params (samples is null for fitDataset, which has no fixed epoch length).
      const { epochs, samples, batchSize } = this.params as {
        epochs?: number;
        samples?: number | null;
        batchSize?: number;
      };
      if (epochs && samples && batchSize) {
        const planned = probed ?? new Set(Array.from({ length: epochs }, (_, i) => i + 1));
        beforeEnd = lossBeforeEndPoint(epochs, planned, samples, batchSize);
      }
    }
    override onEpochBegin(epochIndex: number): Promise<void> {
      epochNow = epochIndex + 1;
      return Promise.resolve();
    }
    override async onBatchBegin(batch: number): Promise<void> {
      if (beforeEnd && epochNow === beforeEnd.epoch && batch === beforeEnd.batch)
        await recorder!.recordLossBeforeEnd(beforeEnd.at);
    }
    override async onEpochEnd(epochIndex: number, logs?: tf.Logs): Promise<void> {
      const epoch = epochIndex + 1;
      appendEpochLogs(history, epoch, await resolveLogs(logs));
      if (probed === null || probed.has(epoch)) await recorder!.probe(epoch, false);
    }
    override async onTrainEnd(): Promise<void> {
      const lastEpoch = history.epochs[history.epochs.length - 1] ?? 0;
      // The last probe is redone with full activation detail.
      if (recorder!.gradients[recorder!.gradients.length - 1]?.epoch === lastEpoch && lastEpoch > 0)
        recorder!.dropLast();
      if (lastEpoch > 0) await recorder!.probe(lastEpoch, true);
      if (lastEpoch > 0) await neighbourVote(model!);
      snapshot = build();
    }
  }
  const cb = new NnauditCallback();
  const build = (): Artifacts => {
    const m = model!;
    const y = options.probe.y;
    const classification = options.loss !== 'meanSquaredError' && options.loss !== 'meanAbsoluteError';
    const priors = classification ? classPriorsOf(y) : null;
    const entropy = priors ? -priors.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0) : null;
    const fitted = linearFit();
    return {
      artifactsVersion: ARTIFACTS_VERSION,
      createdAt: new Date().toISOString(),
      backend: { name: tf.getBackend(), reason: 'chosen by the caller', tfjsVersion: tf.version.tfjs },
      seed: null,
      model: describeModel(m, 'callback', null, options.loss, null),
      data: {
        source: 'callback probe',
        task: classification ? 'classification' : 'regression',
        numClasses: priors?.length ?? 0,
        trainSize: 0,
        validationSize: 0,
        probeSize: options.probe.x.shape[0]!,
        normalize: 'unknown',
        featureRange: { min: 0, max: 0, meanAbs: 0 },
        chanceAccuracy: priors ? Math.max(...priors) : null,
        trivialLoss:
          options.loss === 'categoricalCrossentropy' ||
          options.loss === 'sparseCategoricalCrossentropy' ||
          options.loss === 'binaryCrossentropy'
            ? entropy
            : null,
        targetSummary: summarizeTargetTensor(options.probe.y, options.loss),
        ...(fitted ? { linearFit: fitted.fit } : {}),
        ...(neighbours ? { neighbourFit: neighbours.fit } : {}),
        ...(validationVote ? { validationVote } : {}),
      },
      history: history.epochs.length ? history : null,
      gradients: recorder?.gradients ?? [],
      weights: recorder?.weights ?? [],
      activations: recorder?.activations ?? [],
      timing: {
        probeMs: recorder?.probeMs ?? 0,
        ...(fitted ? { linearFitMs: fitted.ms } : {}),
        ...(neighbours ? { neighbourFitMs: neighbours.ms } : {}),
        totalMs: performance.now() - start,
      },
      warnings: [],
      ...(recorder?.lossBeforeEnd ? { lossBeforeEnd: recorder.lossBeforeEnd } : {}),
    };
  };
  return Object.assign(cb, { artifacts: () => snapshot ?? build() });
}

/**
 * The rows as the Dataset the linear fit reads (the first LINEAR_FIT_MAX_ROWS, copied), with the targets decoded
 * from the loss' encoding: a one-hot row (categorical) or a 0/1 value (binary) becomes a class id, several 0/1
 * columns under binaryCrossentropy are multi-label, and a regression loss keeps every target column.
 */
function baselineRows(rows: Rows, loss: LossName, field: string): Dataset {
  const n = rows.x.shape[0] ?? 0;
  if (rows.y.shape[0] !== n)
    throw new DataError(
      `nnauditCallback: ${field} has ${n} input rows but ${rows.y.shape[0]} target rows; give x and y the same rows`,
    );
  const take = Math.min(n, LINEAR_FIT_MAX_ROWS);
  const featureShape = rows.x.shape.slice(1);
  const width = rows.y.shape.slice(1).reduce((a, b) => a * b, 1);
  const copy = (t: tf.Tensor) => {
    const part = t.slice(0, take);
    const values = Float32Array.from(part.dataSync());
    part.dispose();
    return values;
  };
  // Rows wider than a linear fit is made for are not copied (an image batch can be gigabytes): the fit skips them by their width.
  const x = featureShape.reduce((a, b) => a * b, 1) <= LINEAR_FIT_MAX_FEATURES ? copy(rows.x) : new Float32Array(0);
  const yRaw = copy(rows.y);
  const base = { x, featureShape, featureNames: [], source: field };
  if (loss === 'meanSquaredError' || loss === 'meanAbsoluteError')
    return { ...base, y: yRaw, yWidth: width, task: 'regression', numClasses: 0 };
  if (loss === 'binaryCrossentropy' && width > 1)
    return { ...base, y: yRaw, yWidth: width, multiLabel: true, task: 'classification', numClasses: width };
  if (loss === 'categoricalCrossentropy' && width > 1) {
    const y = new Float32Array(take);
    for (let r = 0; r < take; r++) {
      let best = 0;
      for (let j = 1; j < width; j++) if (yRaw[r * width + j]! > yRaw[r * width + best]!) best = j;
      y[r] = best;
    }
    return { ...base, y, task: 'classification', numClasses: width };
  }
  // One value per row: a class id (sparse) or a 0/1 label (binary).
  const y = yRaw.map((v) => Math.round(v));
  let classes = 2;
  for (const v of y) classes = Math.max(classes, v + 1);
  return { ...base, y, task: 'classification', numClasses: classes };
}

/**
 * fit() hands a plain tf.Callback its epoch logs unresolved: the averaged loss and metrics are still Scalars
 * (tfjs' BaseLogger computes them on the backend; only its CustomCallback wrapper awaits them). Resolve them in
 * place, as that wrapper does (and dispose them as it does), so that the callbacks after this one, tfjs'
 * History included, read the same numbers.
 */
async function resolveLogs(logs: tf.Logs | undefined): Promise<tf.Logs | undefined> {
  if (logs === undefined) return logs;
  const raw = logs as Record<string, number | tf.Tensor>;
  for (const [key, value] of Object.entries(raw)) {
    if (value instanceof tf.Tensor) {
      raw[key] = (await value.data())[0]!;
      value.dispose();
    }
  }
  return logs;
}

function classPriorsOf(y: tf.Tensor): number[] {
  const cols = y.shape.length > 1 ? y.shape[y.shape.length - 1]! : 1;
  const data = y.dataSync();
  if (cols > 1) {
    const sums = new Array<number>(cols).fill(0);
    for (let i = 0; i < data.length; i++) sums[i % cols]! += data[i]!;
    const n = data.length / cols;
    return sums.map((s) => s / n);
  }
  const counts = new Map<number, number>();
  for (const v of data) counts.set(Math.round(v), (counts.get(Math.round(v)) ?? 0) + 1);
  const k = Math.max(2, ...[...counts.keys()].map((c) => c + 1));
  return Array.from({ length: k }, (_, i) => (counts.get(i) ?? 0) / data.length);
}
