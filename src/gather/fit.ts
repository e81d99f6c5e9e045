import { tf } from './tf.js';
import type { History } from '../artifacts/schema.js';
import { appendEpochLogs, type ProbeRecorder } from './probe-recorder.js';
import { withSeededMathRandom } from './seeded-random.js';
import type { GatherProgress } from './gather.js';

/**
 * The batch of the last epoch before which to record the probe loss (Artifacts.lossBeforeEnd), or null: only when no
 * probe lies between the start and the last epoch (one-epoch runs, or a sparse schedule), and the last epoch has at
 * least 4 batches, so the point is half an epoch of steps from the end.
 */
export function lossBeforeEndBatch(epochs: number, probedEpochs: ReadonlySet<number>, trainRows: number, batchSize: number): number | null {
  const batches = Math.ceil(trainRows / Math.max(1, batchSize));
  if ([...probedEpochs].some((e) => e > 0 && e < epochs) || batches < 4) return null;
  return Math.floor(batches / 2);
}

export interface FitInputs {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor;
  validation: [tf.Tensor, tf.Tensor] | undefined;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Epochs (1-based) after which to probe gradients, besides the last one. */
  probedEpochs: Set<number>;
  /** Rows of xTrain, to place the loss point half-way through the last epoch. */
  trainRows: number;
  /** null: no probes at all (benchmarking plain fit). */
  recorder: ProbeRecorder | null;
  progress: (p: GatherProgress) => void;
  /** Run after the probing callback at each epoch end (fail-fast's early stop). */
  extraCallbacks?: tf.CustomCallbackArgs[];
}

export interface FitOutcome {
  history: History;
  /** The last epoch that finished (less than `epochs` when training stopped early). */
  lastEpoch: number;
  warnings: string[];
}

/**
 * Trains a compiled model, probing gradients after the chosen epochs and stopping when the loss stops being finite.
 * The last epoch's full probe is the caller's.
 */
export async function fitWithProbes(model: tf.LayersModel, data: FitInputs, o: FitOptions): Promise<FitOutcome> {
  const history: History = { epochs: [], series: {} };
  const warnings: string[] = [];
  let lastEpoch = 0;
  const recorder = o.recorder;
  const beforeEnd = recorder ? lossBeforeEndBatch(o.epochs, o.probedEpochs, o.trainRows, o.batchSize) : null;
  const batches = Math.ceil(o.trainRows / Math.max(1, o.batchSize));
  let epochNow = 0;
  await withSeededMathRandom(o.seed, () => model.fit(data.xTrain, data.yTrain, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    shuffle: true,
    verbose: 0,
    ...(data.validation ? { validationData: data.validation } : {}),
    callbacks: [{
      // A per-batch hook costs a little per step: only register it when probing.
      ...(recorder ? {
        onEpochBegin: (epochIndex: number) => { epochNow = epochIndex + 1; },
        onBatchBegin: async (batch: number) => {
          await recorder.onBatchBegin();
          // `batch` steps of the last epoch are done here.
          if (beforeEnd !== null && batch === beforeEnd && epochNow === o.epochs) await recorder.recordLossBeforeEnd(o.epochs - 1 + batch / batches);
        },
      } : {}),
      onEpochEnd: async (epochIndex: number, logs?: tf.Logs) => {
        const epoch = epochIndex + 1;
        lastEpoch = epoch;
        await recorder?.onEpochEnd();
        appendEpochLogs(history, epoch, logs);
        o.progress({ phase: 'train', epoch, epochs: o.epochs, logs: { ...(logs ?? {}) } });
        const lossNow = logs?.['loss'];
        const diverged = lossNow !== undefined && !Number.isFinite(lossNow);
        if (diverged) {
          warnings.push(`training stopped at epoch ${epoch}: the loss became ${lossNow}`);
          model.stopTraining = true;
        }
        if (recorder && epoch < o.epochs && !diverged && o.probedEpochs.has(epoch)) await recorder.probe(epoch, false);
      },
    }, ...(o.extraCallbacks ?? [])],
  }));
  return { history, lastEpoch, warnings };
}
