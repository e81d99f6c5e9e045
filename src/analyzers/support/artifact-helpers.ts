import type { ActivationEpoch, Artifacts, GradientEpoch, LayerGradient } from '../../artifacts/schema.js';

export const RELU_FAMILY = new Set(['relu', 'relu6']);
export const SQUASHING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);

/** Activations with NaN/Infinity say nothing about dead or saturated units: the non-finite analyzer owns them. */
export function activationsBroken(e: ActivationEpoch | undefined): boolean {
  return e !== undefined && e.layers.some((l) => l.stats.nonFinite > 0 || (l.preActivation?.stats.nonFinite ?? 0) > 0);
}

export function firstActivations(a: Artifacts): ActivationEpoch | undefined {
  return a.activations[0];
}

export function lastActivations(a: Artifacts): ActivationEpoch | undefined {
  return a.activations[a.activations.length - 1];
}

/** Layers that have a kernel gradient, in model order (input side first). */
export function kernelLayers(epoch: GradientEpoch): LayerGradient[] {
  return epoch.layers.filter((l) => l.kernelNorm !== null);
}

export function median(values: number[]): number | null {
  const v = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Centered moving average over a window (nulls skipped), to read trends through epoch-to-epoch noise. */
export function smooth(values: Array<number | null>, window = 3): Array<number | null> {
  const half = Math.floor(window / 2);
  return values.map((_, i) => {
    const part = values
      .slice(Math.max(0, i - half), i + half + 1)
      .filter((v): v is number => v !== null && Number.isFinite(v));
    return part.length ? part.reduce((a, b) => a + b, 0) / part.length : null;
  });
}

export function outputLayerName(a: Artifacts): string | undefined {
  const layers = a.model.layers.filter((l) => l.className !== 'InputLayer');
  return layers[layers.length - 1]?.name;
}

export function optimizerText(a: Artifacts): string {
  const o = a.model.optimizer;
  return o ? `${o.name} at learning rate ${o.learningRate}` : 'the current optimizer';
}

/**
 * Final loss / constant-predictor loss: the last 3 epochs of training loss, or the probe loss of a model
 * audited without history. null when there is no baseline.
 */
export function lossRatio(a: Artifacts): number | null {
  const trivial = constantLoss(a);
  if (trivial === null || trivial <= 0) return null;
  const final = finalLoss(a);
  return final === null ? null : final / trivial;
}

/** Mean of the last `n` finite values of a per-epoch series (null when there are none). */
export function tailMean(series: Array<number | null> | undefined, n = 3): number | null {
  const v = (series ?? []).slice(-n).filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** The training loss at the end (mean of the last 3 epochs), or the probe loss of a model audited without history. */
export function finalLoss(a: Artifacts): number | null {
  const loss = a.history?.series['loss'];
  return loss ? tailMean(loss) : (a.gradients[a.gradients.length - 1]?.loss ?? null);
}

/**
 * How much the probe loss fell over the run: (first - last) / first, on the same probe rows in inference mode,
 * so dropout and batch noise do not blur it. null with fewer than two finite probe losses or a first loss <= 0.
 */
/**
 * How the probe loss moved, for a stalled-training message: "fell by only 1.2%", or "did not fall (rose by 3.0%)"
 * when it went up; a rise printed as "fell by only -0%" read as a bug.
 */
export function progressText(progress: number): string {
  if (progress >= 0.0005) return `fell by only ${(progress * 100).toFixed(1)}%`;
  return progress <= -0.0005 ? `did not fall (rose by ${(-progress * 100).toFixed(1)}%)` : 'did not fall';
}

/** Whether this audit trained the model: it has epochs of history (a saved model audited as saved has none). */
export function trainedHere(a: Artifacts): boolean {
  return (a.history?.epochs.length ?? 0) > 0;
}

/** The classes the training rows hold (class priors > 0); empty when the targets have no class priors. */
export function trainingClasses(a: Artifacts): number[] {
  return (a.data.targetSummary?.classPriors ?? []).flatMap((p, c) => (p > 0 ? [c] : []));
}

/** The probes with a finite loss, in epoch order. */
export function probesWithLoss(a: Artifacts): Array<GradientEpoch & { loss: number }> {
  return a.gradients.filter((g): g is GradientEpoch & { loss: number } => g.loss !== null && Number.isFinite(g.loss));
}

export function probeProgress(a: Artifacts): number | null {
  const losses = probesWithLoss(a).map((g) => g.loss);
  if (losses.length < 2 || losses[0]! <= 0) return null;
  return (losses[0]! - losses[losses.length - 1]!) / losses[0]!;
}

/** How fast the loss was still falling when training ended (finalFall). */
export interface FinalFall {
  /** Drop of the loss per epoch over the last interval (negative: it rose). */
  perEpoch: number;
  /** The final loss. */
  last: number;
  /** Where the interval starts, in epochs (fractional for the point inside the last epoch). */
  from: number;
  /** Which loss: the probe loss, or the training loss of the last epochs when the probes cannot tell (see finalFall). */
  of: 'probe' | 'training';
}

/** Epochs of training loss the end slope is read over when the probes cannot give it (finalFall). */
const TRAINING_TAIL_EPOCHS = 3;

/**
 * The probe loss's drop per epoch over the last probed interval. The interval starts at the probe loss recorded
 * part-way through the last epoch when there is one (a run with no probe between its start and its end): the drop from
 * the random start says nothing about the end. A run of several epochs probed only at its start and its end, with no
 * such point (a training set of one to three batches), has only that drop: there the training loss of the last epochs
 * gives the slope instead (55 rows of iris fit to 0.2% of the constant predictor's loss by epoch 12 read as "still
 * falling by 19% of it per epoch since epoch 0"). null with fewer than two finite losses or a final loss <= 0.
 */
export function finalFall(a: Artifacts): FinalFall | null {
  const probes = probesWithLoss(a);
  if (probes.length < 2) return null;
  const last = probes[probes.length - 1]!;
  const mid = a.lossBeforeEnd;
  const before =
    mid && mid.loss !== null && mid.epoch < last.epoch && mid.epoch > probes[probes.length - 2]!.epoch
      ? { epoch: mid.epoch, loss: mid.loss }
      : probes[probes.length - 2]!;
  if (before.epoch === 0 && last.epoch > 1) return trainingLossFall(a);
  const epochs = last.epoch - before.epoch;
  if (epochs <= 0 || last.loss <= 0) return null;
  return { perEpoch: (before.loss - last.loss) / epochs, last: last.loss, from: before.epoch, of: 'probe' };
}

/** The training loss's drop per epoch over its last TRAINING_TAIL_EPOCHS epochs (fewer in a shorter run). */
function trainingLossFall(a: Artifacts): FinalFall | null {
  const loss = a.history?.series['loss'];
  const epochs = a.history?.epochs;
  if (!loss || !epochs || loss.length < 2) return null;
  const n = loss.length;
  const span = Math.min(TRAINING_TAIL_EPOCHS, n - 1);
  const first = loss[n - 1 - span];
  const end = loss[n - 1];
  if (
    first === null ||
    first === undefined ||
    end === null ||
    end === undefined ||
    !Number.isFinite(first) ||
    !Number.isFinite(end) ||
    end <= 0
  )
    return null;
  return { perEpoch: (first - end) / span, last: end, from: epochs[n - 1 - span]!, of: 'training' };
}

/**
 * The constant-predictor baseline and chance accuracy for these artifacts: from the target summary (computed for
 * the recorded loss and head) when gather recorded one, else the older data.trivialLoss / data.chanceAccuracy.
 */
export function constantLoss(a: Artifacts): number | null {
  return a.data.targetSummary ? a.data.targetSummary.constantLoss : a.data.trivialLoss;
}

export function chanceAccuracy(a: Artifacts): number | null {
  return a.data.targetSummary ? a.data.targetSummary.chanceAccuracy : a.data.chanceAccuracy;
}
