import type { tf } from '../tf.js';
import type { Artifacts, History, StoppedEarly } from '../../artifacts/schema.js';
import { appendEpochLogs, type ProbeRecorder } from './probe-recorder.js';

/** "stopped at epoch 3 of 150: dead-relu: ..." for the terminal, the report and the Markdown summary. */
export function stoppedEarlyText(s: StoppedEarly): string {
  return `stopped at epoch ${s.epoch} of ${s.epochs}: ${s.analyzer}: ${s.reason}`;
}

/** Why to stop: the analyzer whose finding held, and the reason in words. */
export interface StopDecision {
  analyzer: string;
  reason: string;
}

/**
 * Judges the artifacts of a partly trained run after each fail-fast probe; null = keep training. Supplied by the
 * audit orchestration (it runs the pure analyzers), so gather never imports analyzers. May keep state between
 * calls (consecutive failing probes): give each gather call a fresh one.
 */
export type ShouldStop = (partial: Artifacts) => StopDecision | null;

/** Epochs probed at every epoch for fail-fast; later ones only where gather probes anyway (bounds the overhead). */
export const FAIL_FAST_DENSE_EPOCHS = 10;
/**
 * A fail-fast probe (one forward+backward pass over the probe rows) may cost about this share of an epoch (one pass
 * over the training rows): where the probe set is large next to the training set, fail-fast probes every few
 * epochs instead. Judged by row counts, not the clock, so where a run stops does not depend on machine load.
 */
export const FAIL_FAST_BUDGET = 0.5;

/** Fail-fast probes every this many epochs in the dense phase. */
export function failFastInterval(probeRows: number, trainRows: number): number {
  return Math.max(1, Math.ceil(probeRows / (FAIL_FAST_BUDGET * Math.max(1, trainRows))));
}

export type ProbeSet = Pick<ProbeRecorder, 'gradients' | 'weights' | 'activations'>;

export interface EarlyStopOptions {
  shouldStop: ShouldStop;
  epochs: number;
  /** Epochs gather probes anyway: fail-fast also judges there after the first FAIL_FAST_DENSE_EPOCHS. */
  probedEpochs: Set<number>;
  /** Probe every this many epochs during the first FAIL_FAST_DENSE_EPOCHS (failFastInterval). */
  every: number;
  /**
   * A recorder of its own, probing with full activation detail: its probes never enter the final artifacts, so a
   * run that is not stopped records exactly what it would without fail-fast.
   */
  sentinel: ProbeRecorder;
  /** gather's probes so far (the epoch-0 probe is reused as the "at start" reference). */
  main: ProbeSet;
  /** Builds artifacts from a history and a probe set (gather's assembleArtifacts, minus timing). */
  snapshot: (history: History, probes: ProbeSet) => Artifacts;
}

/**
 * A fit callback that, after gather's own epoch-end probe, probes again with full detail, asks `shouldStop` about
 * the run so far and sets model.stopTraining when it says so. `stopped()` tells where and why.
 */
export function earlyStopCallback(
  model: tf.LayersModel,
  o: EarlyStopOptions,
): { callback: tf.CustomCallbackArgs; stopped(): StoppedEarly | null } {
  const history: History = { epochs: [], series: {} };
  let stopped: StoppedEarly | null = null;
  const callback: tf.CustomCallbackArgs = {
    onEpochEnd: async (epochIndex: number, logs?: tf.Logs) => {
      const epoch = epochIndex + 1;
      appendEpochLogs(history, epoch, logs);
      // The last epoch ends the run anyway; a run gather already stopped (loss not finite) needs no verdict here.
      const due = (epoch <= FAIL_FAST_DENSE_EPOCHS && epoch % o.every === 0) || o.probedEpochs.has(epoch);
      if (epoch >= o.epochs || model.stopTraining || !due) return;
      await o.sentinel.probe(epoch, true);
      const start = (xs: Array<{ epoch: number }>) => xs.filter((x) => x.epoch === 0);
      const probes: ProbeSet = {
        gradients: [...start(o.main.gradients), ...o.sentinel.gradients] as ProbeSet['gradients'],
        weights: [...start(o.main.weights), ...o.sentinel.weights] as ProbeSet['weights'],
        activations: [...start(o.main.activations), ...o.sentinel.activations] as ProbeSet['activations'],
      };
      const decision = o.shouldStop(o.snapshot(history, probes));
      if (decision) {
        stopped = { epoch, epochs: o.epochs, analyzer: decision.analyzer, reason: decision.reason };
        model.stopTraining = true;
      }
    },
  };
  return { callback, stopped: () => stopped };
}
