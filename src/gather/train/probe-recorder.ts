import { tf } from '../tf.js';
import type { Artifacts, History, WeightEpoch } from '../../artifacts/schema.js';
import { normalizeMetricName } from '../../artifacts/metric-names.js';
import { probeModel, type LossFn, type ProbeOptions } from './probe.js';
import { recordUpdateRatios, weightStats } from './weight-stats.js';
import { cpuMsSince } from '../../util/cpu-time.js';

/**
 * Accumulates the probe artifacts of one training run: gradients, weights and activations per probed epoch,
 * and (with `trackUpdates`) the size of the optimizer step that follows each probe. Used by `gather` and by
 * the user-facing callback, so both record exactly the same things.
 */
export class ProbeRecorder {
  readonly gradients: Artifacts['gradients'] = [];
  readonly weights: Artifacts['weights'] = [];
  readonly activations: Artifacts['activations'] = [];
  /** The probe loss part-way through the last epoch (see Artifacts.lossBeforeEnd); null until recorded. */
  lossBeforeEnd: { epoch: number; loss: number | null } | null = null;
  /** Wall time spent probing, kept apart from training time. */
  probeMs = 0;
  /** The process's CPU time over the same spans: on a shared machine wall time also counts other jobs' turns. */
  probeCpuMs = 0;
  // Weights kept at the last probe until the next optimizer step, to measure one update's relative size.
  private reference: { kept: Map<string, Float32Array>; probe: WeightEpoch; steps: number } | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly x: tf.Tensor,
    private readonly y: tf.Tensor,
    private readonly loss: LossFn,
    private readonly trackUpdates: boolean,
    private readonly options: ProbeOptions = {},
  ) {}

  async probe(epoch: number, detail: boolean): Promise<void> {
    await this.timed(async () => {
      const r = await probeModel(this.model, this.x, this.y, this.loss, epoch, detail, this.options);
      this.gradients.push(r.gradients);
      if (r.activations) this.activations.push({ epoch, layers: r.activations });
      const kept = this.trackUpdates ? new Map<string, Float32Array>() : undefined;
      const w = await weightStats(this.model, epoch, detail, kept);
      // The report draws only the latest probe's strongest inputs: one copy keeps a wide model's result small.
      if (w.weights.some((x) => x.strongest))
        for (const p of this.weights) for (const x of p.weights) delete x.strongest;
      this.weights.push(w);
      this.reference = kept ? { kept, probe: w, steps: 0 } : null;
    });
  }

  /**
   * The mean probe loss now, forward only and in inference mode like a probe's, at a fractional epoch: one point on
   * the loss curve between two probes, for the slope at the end of a run that has no probe in between.
   */
  async recordLossBeforeEnd(epoch: number): Promise<void> {
    await this.timed(async () => {
      // One batch, as the probe's own pass: predict's default of 32 rows ran the probe set as 8 forward passes.
      const batchSize = Math.max(1, this.x.shape[0] ?? 1);
      const value = tf.tidy(() => this.loss(this.y, this.model.predict(this.x, { batchSize }) as tf.Tensor).mean());
      const loss = (await value.data())[0]!;
      value.dispose();
      this.lossBeforeEnd = { epoch, loss: Number.isFinite(loss) ? loss : null };
    });
  }

  /** Forgets the last probe's gradients and weights (to redo it with full detail). */
  dropLast(): void {
    this.gradients.pop();
    this.weights.pop();
  }

  /**
   * Call at every batch begin: the begin of the second batch after a probe sees the weights after exactly one
   * step. (onBatchBegin, not onBatchEnd: tfjs downloads the batch logs before every onBatchEnd, a sync per step.)
   */
  async onBatchBegin(): Promise<void> {
    if (this.reference === null) return;
    if (this.reference.steps++ === 0) return;
    await this.measureUpdate();
  }

  /** Call at every epoch end, before probing: covers epochs of a single batch. */
  async onEpochEnd(): Promise<void> {
    if (this.reference !== null && this.reference.steps > 0) await this.measureUpdate();
  }

  private async measureUpdate(): Promise<void> {
    await this.timed(async () => {
      const ref = this.reference!;
      this.reference = null;
      await recordUpdateRatios(this.model, ref.kept, ref.probe);
    });
  }

  /** Runs probe work, adding its wall and CPU time to probeMs and probeCpuMs. */
  private async timed(work: () => Promise<void>): Promise<void> {
    const start = performance.now();
    const cpu = process.cpuUsage();
    await work();
    this.probeMs += performance.now() - start;
    this.probeCpuMs += cpuMsSince(cpu);
  }
}

/** Appends one epoch's tfjs logs to a Keras-style history, with metric names normalized and non-finite values as null. */
export function appendEpochLogs(history: History, epoch: number, logs: tf.Logs | undefined): void {
  history.epochs.push(epoch);
  for (const [k, v] of Object.entries(logs ?? {}))
    (history.series[normalizeMetricName(k)] ??= []).push(Number.isFinite(v) ? v : null);
}
