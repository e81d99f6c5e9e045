import type { tf } from '../tf.js';
import type { WeightEpoch } from '../../artifacts/schema.js';
import { MAX_KERNEL_SIDE, MAX_STRONGEST_UNITS, STRONGEST_K } from '../../artifacts/schema.js';
import { histogram, summarize } from './stats.js';
import { strongestInputs } from './strongest-inputs.js';

/**
 * Weight statistics at a probe, and the size of the optimizer step that follows it (updateRatio,
 * ||W after one step - W|| / ||W||), read from the model's variables in place.
 */

/** A dense kernel small enough to keep whole in the artifacts, so the report can draw every connection. */
const smallKernel = (shape: Array<number | null>): boolean =>
  shape.length === 2 && shape.every((d) => d !== null && d > 0 && d <= MAX_KERNEL_SIDE);

/** A Dense kernel too wide to keep whole but narrow enough that each unit's strongest inputs stay small. */
const wideDenseKernel = (layer: tf.layers.Layer, shape: Array<number | null>): boolean =>
  layer.getClassName() === 'Dense' &&
  shape.length === 2 &&
  !smallKernel(shape) &&
  shape.every((d) => d !== null && d > 0) &&
  shape[1]! <= MAX_STRONGEST_UNITS;

/** Short weight name ("kernel", "bias", "gamma") as the artifacts record it. */
const shortWeightName = (originalName: string): string => originalName.split('/').pop() ?? originalName;

/** Per weight tensor: stats, and a histogram when `withHistograms`. Reads variables in place (no copies kept). */
export async function weightStats(
  model: tf.LayersModel,
  epoch: number,
  withHistograms: boolean,
  keep?: Map<string, Float32Array>,
): Promise<WeightEpoch> {
  const weights: WeightEpoch['weights'] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const values = (await w.read().data()) as Float32Array;
      if (keep && w.trainable) keep.set(`${layer.name}/${w.originalName}`, values.slice());
      const stats = summarize(values);
      weights.push({
        layer: layer.name,
        weight: shortWeightName(w.originalName),
        shape: w.shape.map((d) => d ?? -1),
        stats,
        histogram: withHistograms ? histogram(values, stats) : null,
        updateRatio: null,
        ...(withHistograms && smallKernel(w.shape)
          ? { values: Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null)) }
          : {}),
        ...(withHistograms && wideDenseKernel(layer, w.shape) && shortWeightName(w.originalName) === 'kernel'
          ? { strongest: strongestInputs(values, w.shape[0]!, w.shape[1]!, STRONGEST_K) }
          : {}),
      });
    }
  }
  return { epoch, weights };
}

/**
 * Fills `updateRatio` of a probe's weights: compares the weights kept at the probe with the current ones,
 * called right after the first optimizer step that follows the probe.
 */
export async function recordUpdateRatios(
  model: tf.LayersModel,
  reference: Map<string, Float32Array>,
  probe: WeightEpoch,
): Promise<void> {
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const before = reference.get(`${layer.name}/${w.originalName}`);
      if (!before) continue;
      const after = (await w.read().data()) as Float32Array;
      const { diff, norm } = stepAndSize(before, after);
      const entry = probe.weights.find((x) => x.layer === layer.name && x.weight === shortWeightName(w.originalName));
      if (entry && norm > 0 && Number.isFinite(diff)) entry.updateRatio = Math.sqrt(diff / norm);
    }
  }
}

/** Sum of squares of (after - before), and of before. */
function stepAndSize(before: Float32Array, after: Float32Array): { diff: number; norm: number } {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < before.length; i++) {
    diff += (after[i]! - before[i]!) ** 2;
    norm += before[i]! ** 2;
  }
  return { diff, norm };
}

// A run calls these loops a few times on large arrays: the first call is optimized part-way through its loop without
// type feedback for what follows, deoptimizes on return, and the next starts over (a probe's weight statistics took
// 20-45 ms instead of 2-6). Running each once on a few values at load gives them that feedback.
{
  const few = Float32Array.from({ length: 4096 }, (_, i) => (i % 5) - 2.5);
  few[3] = NaN;
  for (let round = 0; round < 4; round++) {
    histogram(few, summarize(few));
    stepAndSize(few, few);
    strongestInputs(few, 64, 64, 4);
  }
}
