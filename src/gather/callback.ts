import { tf } from './tf.js';
import { ARTIFACTS_VERSION, type Artifacts, type History } from '../artifacts/schema.js';
import type { LossName } from '../config/spec-schema.js';
import { describeModel } from './model-graph.js';
import { ProbeRecorder, appendEpochLogs } from './probe-recorder.js';
import { LOSS_FUNCS } from './targets.js';
import { chooseProbeEpochs } from './probe-schedule.js';
import { lossBeforeEndBatch } from './fit.js';
import { summarizeTargetTensor } from './target-summary.js';

export interface CallbackOptions {
  /** A small batch of inputs and encoded targets (128-512 rows) used for gradient and activation probes. */
  probe: { x: tf.Tensor; y: tf.Tensor };
  loss: LossName;
  /** Total epochs planned, to spread the probes (default: probe every epoch). */
  epochs?: number;
  /** Probe every N epochs (default 1). */
  every?: number;
}

/**
 * A tfjs callback that records nnaudit artifacts inside your own `model.fit`. The probe tensors stay
 * yours (not disposed).
 *
 * @example
 *   const cb = nnauditCallback({ probe: { x: xs.slice(0, 256), y: ys.slice(0, 256) }, loss: 'categoricalCrossentropy' });
 *   await model.fit(xs, ys, { epochs: 20, validationSplit: 0.2, callbacks: [cb] });
 *   const result = analyze(cb.artifacts());
 */
export function nnauditCallback(options: CallbackOptions): tf.Callback & { artifacts(): Artifacts } {
  const lossFn = LOSS_FUNCS[options.loss];
  const probed = options.epochs ? chooseProbeEpochs(options.epochs, options.every ?? 1) : null;
  let model: tf.LayersModel | null = null;
  let recorder: ProbeRecorder | null = null;
  const start = performance.now();
  const history: History = { epochs: [], series: {} };
  let snapshot: Artifacts | null = null;
  // Where to record the probe loss half-way through the last epoch (as gather does): [epochs, batch], or null.
  let beforeEnd: { epochs: number; batch: number; batches: number } | null = null;
  let epochNow = 0;
  // tf.Callback (unlike CustomCallback) keeps the model fit() hands it.
  class NnauditCallback extends tf.Callback {
    override async onTrainBegin(): Promise<void> {
      model = this.model as tf.LayersModel;
      // Update sizes are not tracked here: that needs a per-batch hook inside the caller's fit.
      recorder = new ProbeRecorder(model, options.probe.x, options.probe.y, lossFn, false);
      await recorder.probe(0, true);
      // fit() passes its plan in params (samples is null for fitDataset, which has no fixed epoch length).
      const { epochs, samples, batchSize } = this.params as { epochs?: number; samples?: number | null; batchSize?: number };
      if (epochs && samples && batchSize) {
        const planned = probed ?? new Set(Array.from({ length: epochs }, (_, i) => i + 1));
        const batch = lossBeforeEndBatch(epochs, planned, samples, batchSize);
        beforeEnd = batch === null ? null : { epochs, batch, batches: Math.ceil(samples / batchSize) };
      }
    }
    override onEpochBegin(epochIndex: number): Promise<void> {
      epochNow = epochIndex + 1;
      return Promise.resolve();
    }
    override async onBatchBegin(batch: number): Promise<void> {
      if (beforeEnd && epochNow === beforeEnd.epochs && batch === beforeEnd.batch) {
        await recorder!.recordLossBeforeEnd(beforeEnd.epochs - 1 + batch / beforeEnd.batches);
      }
    }
    override async onEpochEnd(epochIndex: number, logs?: tf.Logs): Promise<void> {
      const epoch = epochIndex + 1;
      appendEpochLogs(history, epoch, await resolveLogs(logs));
      if (probed === null || probed.has(epoch)) await recorder!.probe(epoch, false);
    }
    override async onTrainEnd(): Promise<void> {
      const lastEpoch = history.epochs[history.epochs.length - 1] ?? 0;
      // The last probe is redone with full activation detail.
      if (recorder!.gradients[recorder!.gradients.length - 1]?.epoch === lastEpoch && lastEpoch > 0) recorder!.dropLast();
      if (lastEpoch > 0) await recorder!.probe(lastEpoch, true);
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
    return {
      artifactsVersion: ARTIFACTS_VERSION,
      createdAt: new Date().toISOString(),
      backend: { name: tf.getBackend(), reason: 'chosen by the caller', tfjsVersion: tf.version.tfjs },
      seed: null,
      model: describeModel(m, 'callback', null, options.loss, null),
      data: {
        source: 'callback probe', task: classification ? 'classification' : 'regression', numClasses: priors?.length ?? 0,
        trainSize: 0, validationSize: 0, probeSize: options.probe.x.shape[0]!, normalize: 'unknown',
        featureRange: { min: 0, max: 0, meanAbs: 0 },
        chanceAccuracy: priors ? Math.max(...priors) : null,
        trivialLoss: options.loss === 'categoricalCrossentropy' || options.loss === 'sparseCategoricalCrossentropy' || options.loss === 'binaryCrossentropy' ? entropy : null,
        targetSummary: summarizeTargetTensor(options.probe.y, options.loss),
      },
      history: history.epochs.length ? history : null,
      gradients: recorder?.gradients ?? [],
      weights: recorder?.weights ?? [],
      activations: recorder?.activations ?? [],
      timing: { probeMs: recorder?.probeMs ?? 0, totalMs: performance.now() - start },
      warnings: [],
      ...(recorder?.lossBeforeEnd ? { lossBeforeEnd: recorder.lossBeforeEnd } : {}),
    };
  };
  return Object.assign(cb, { artifacts: () => snapshot ?? build() });
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
