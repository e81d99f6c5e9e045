import type { tf } from '../tf.js';
import type { Spec } from '../../config/spec-schema.js';
import type { Artifacts, History, StoppedEarly } from '../../artifacts/schema.js';
import { rowCount } from '../data/dataset.js';
import type { PreparedData } from '../data/prepare.js';
import type { ModelUnderAudit } from '../model/obtain-model.js';
import { ProbeRecorder } from './probe-recorder.js';
import { cpuMsSince } from '../../util/cpu-time.js';
import { lossFunction } from './losses.js';
import { chooseProbeEpochs } from './probe-schedule.js';
import { fitWithProbes } from './fit.js';
import { earlyStopCallback, failFastInterval, stoppedEarlyText, type ShouldStop } from './early-stop.js';
import type { GatherProgress } from '../gather.js';

/** The tensors one audit feeds the model: training rows, validation rows when split, the probe rows. */
export interface AuditTensors {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor;
  validation: [tf.Tensor, tf.Tensor] | undefined;
  xProbe: tf.Tensor;
  yProbe: tf.Tensor;
}

export interface TrainOutcome {
  recorder: ProbeRecorder;
  /** Fail-fast's own probes: their time is left out of training time, their numbers out of the artifacts. */
  sentinel: ProbeRecorder;
  history: History | null;
  lastEpoch: number;
  stoppedEarly: StoppedEarly | null;
  warnings: string[];
  /** Wall time of the training phase, probes included (the caller subtracts their time). */
  trainWallMs: number;
  /** The process's CPU time over the same span. */
  trainCpuMs: number;
}

export interface TrainOptions {
  noProbes?: boolean | undefined;
  shouldStop?: ShouldStop | undefined;
  progress: (p: GatherProgress) => void;
  /** What fail-fast judges: the artifacts so far (history and probes), assembled by the caller. */
  snapshot: (
    history: History | null,
    probes: Pick<ProbeRecorder, 'gradients' | 'weights' | 'activations'>,
  ) => Artifacts;
}

/**
 * Probes the compiled model at epoch 0, trains it the epochs the spec asks (probing on the chosen epochs, stopping
 * early when fail-fast decides), and probes the last epoch in full. A model audited as saved is probed once.
 */
export async function trainWithProbes(
  spec: Spec,
  mua: ModelUnderAudit,
  data: PreparedData,
  t: AuditTensors,
  o: TrainOptions,
): Promise<TrainOutcome> {
  const { model } = mua;
  const loss = lossFunction(mua.loss, mua.fromLogits);
  const recorder = new ProbeRecorder(model, t.xProbe, t.yProbe, loss, true);
  const probe = async (epoch: number, detail: boolean) => {
    if (!o.noProbes) await recorder.probe(epoch, detail);
  };
  // Fail-fast's own probes: timed apart, never part of the artifacts. Batch norm runs on batch statistics there,
  // as training sees it: a unit that only looks dead through still-unsettled moving averages must not stop a run.
  const sentinel = new ProbeRecorder(model, t.xProbe, t.yProbe, loss, false, { batchNormTraining: true });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await probe(0, true);
  const out: TrainOutcome = {
    recorder,
    sentinel,
    history: mua.history,
    lastEpoch: 0,
    stoppedEarly: null,
    warnings: [],
    trainWallMs: 0,
    trainCpuMs: 0,
  };
  if (mua.epochs > 0) {
    const probedEpochs = chooseProbeEpochs(
      mua.epochs,
      spec.data.probeEvery,
      rowCount(data.probe),
      rowCount(data.train),
    );
    const stopper =
      o.shouldStop && !o.noProbes
        ? earlyStopCallback(model, {
            shouldStop: o.shouldStop,
            epochs: mua.epochs,
            probedEpochs,
            main: recorder,
            sentinel,
            every: failFastInterval(rowCount(data.probe), rowCount(data.train)),
            snapshot: o.snapshot,
          })
        : null;
    const fitted = await fitWithProbes(
      model,
      { xTrain: t.xTrain, yTrain: t.yTrain, validation: t.validation },
      {
        epochs: mua.epochs,
        batchSize: mua.batchSize,
        seed: spec.seed,
        probedEpochs,
        trainRows: rowCount(data.train),
        recorder: o.noProbes ? null : recorder,
        progress: o.progress,
        ...(stopper ? { extraCallbacks: [stopper.callback] } : {}),
      },
    );
    out.history = fitted.history;
    out.lastEpoch = fitted.lastEpoch;
    out.warnings.push(...fitted.warnings);
    out.stoppedEarly = stopper?.stopped() ?? null;
    // A run warning, so the terminal, the HTML report and the e-mail all say where and why training stopped.
    if (out.stoppedEarly) out.warnings.push(`training ${stoppedEarlyText(out.stoppedEarly)}`);
    // gather may have probed the stop epoch already: the full probe below replaces it.
    if (out.stoppedEarly && recorder.gradients[recorder.gradients.length - 1]?.epoch === out.lastEpoch)
      recorder.dropLast();
    await probe(out.lastEpoch, true);
  }
  out.trainWallMs = performance.now() - t0;
  out.trainCpuMs = cpuMsSince(cpu0);
  return out;
}
