import { tf } from '../tf.js';
import type { History } from '../../artifacts/schema.js';
import { appendEpochLogs, type ProbeRecorder } from './probe-recorder.js';
import { withSeededMathRandom } from './seeded-random.js';
import type { GatherProgress } from '../gather.js';

/** Where to record the probe loss inside the last epoch (Artifacts.lossBeforeEnd): before `batch` of epoch `epoch`. */
export interface LossBeforeEndPoint {
  /** The last epoch, 1-based. */
  epoch: number;
  /** The batch index (0-based) before which to record: this many steps of the last epoch are done. */
  batch: number;
  /** The fractional epoch recorded, e.g. 0.5 half-way through a one-epoch run. */
  at: number;
}

/**
 * The point half-way through the last epoch at which to record the probe loss, or null: only when no probe lies
 * between the start and the last epoch (one-epoch runs, or a sparse schedule), and the last epoch has at least 4
 * batches. gather and the library callback both place it here, so both record it at the same step.
 */
export function lossBeforeEndPoint(
  epochs: number,
  probedEpochs: ReadonlySet<number>,
  trainRows: number,
  batchSize: number,
): LossBeforeEndPoint | null {
  const batches = Math.ceil(trainRows / Math.max(1, batchSize));
  if ([...probedEpochs].some((e) => e > 0 && e < epochs) || batches < 4) return null;
  const batch = Math.floor(batches / 2);
  return { epoch: epochs, batch, at: epochs - 1 + batch / batches };
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
  const beforeEnd = recorder ? lossBeforeEndPoint(o.epochs, o.probedEpochs, o.trainRows, o.batchSize) : null;
  let epochNow = 0;
  await withSeededMathRandom(o.seed, () =>
    model.fit(data.xTrain, data.yTrain, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      shuffle: true,
      verbose: 0,
      ...(data.validation ? { validationData: data.validation } : {}),
      callbacks: [
        {
          // A per-batch hook costs a little per step: only register it when probing.
          ...(recorder
            ? {
                onEpochBegin: (epochIndex: number) => {
                  epochNow = epochIndex + 1;
                },
                onBatchBegin: async (batch: number) => {
                  await recorder.onBatchBegin();
                  if (beforeEnd && epochNow === beforeEnd.epoch && batch === beforeEnd.batch)
                    await recorder.recordLossBeforeEnd(beforeEnd.at);
                },
              }
            : {}),
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
            if (recorder && epoch < o.epochs && !diverged && o.probedEpochs.has(epoch))
              await recorder.probe(epoch, false);
          },
        },
        ...(o.extraCallbacks ?? []),
      ],
    }),
  );
  return { history, lastEpoch, warnings };
}
