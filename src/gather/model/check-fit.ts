import type { LossName } from '../../config/spec-schema.js';
import { type Dataset, maxOf, targetWidth } from '../data/dataset.js';
import { DataError } from '../../errors.js';

export interface ModelEnds {
  /** Per-sample input shape (null: any size). */
  inputShape: ReadonlyArray<number | null>;
  /** Units of the output's last axis. */
  outputUnits: number;
  /** The last layer's activation, when it has a known one. */
  outputActivation: string | null;
  loss: LossName;
}

const fmt = (s: ReadonlyArray<number | null>) => `[${s.map((d) => d ?? '?').join(', ')}]`;

/**
 * The per-sample shape to feed the model: the data's own when it fits, the model's when they differ only by axes of
 * size 1 (an IDX image [28, 28] for a [28, 28, 1] input), the model's flat input when a multi-axis sample has exactly
 * its size (MNIST images for a Dense [784] input), else null.
 *
 * Flattening is unambiguous (C order, NumPy's `reshape(n, -1)`, which is how such models are fed), so it is done
 * silently; the reverse, flat rows into images, needs the user's `data.shape` because the layout is not known.
 */
export function fitFeatureShape(data: readonly number[], model: ReadonlyArray<number | null>): number[] | null {
  if (data.length === model.length && model.every((d, i) => d === null || d === data[i])) return [...data];
  const squeeze = (s: ReadonlyArray<number | null>) => s.filter((d) => d !== 1);
  const a = squeeze(data);
  const b = squeeze(model);
  if (model.every((d) => d !== null) && a.length === b.length && a.every((d, i) => d === b[i]))
    return model as number[];
  if (isFlattening(data, model)) return [model[0]!];
  return null;
}

/** Whether fitFeatureShape feeds `data` to `model` by flattening it (the caller says so in the run warnings). */
export function isFlattening(data: readonly number[], model: ReadonlyArray<number | null>): boolean {
  return data.length > 1 && model.length === 1 && model[0] !== null && data.reduce((p, d) => p * d, 1) === model[0];
}

export function inputMismatch(
  featureShape: readonly number[],
  model: ReadonlyArray<number | null>,
  where: string,
  note?: string,
): DataError {
  const flat = featureShape.length === 1;
  const modelSize = model.every((d) => d !== null) ? (model as number[]).reduce((a, b) => a * b, 1) : null;
  // Column advice only helps a table (CSV, JSON records); an array file has the shape it has.
  const table = /(^|:)(csv|json)(:|$)|\.(csv|json)$/i.test(where);
  const [a, b, c] = featureShape;
  const [x, y, z] = model;
  const channelsLastForFirst =
    featureShape.length === 3 && model.length === 3 && a === y && b === z && c === x && c !== a;
  const channelsFirstForLast =
    featureShape.length === 3 && model.length === 3 && a === z && b === x && c === y && a !== c;
  const hint = channelsLastForFirst
    ? 'the model takes channels-first images (N, C, H, W: a PyTorch export) and these are channels-last: save them with x.transpose(0, 3, 1, 2)'
    : channelsFirstForLast
      ? 'the model takes channels-last images (N, H, W, C: Keras/TensorFlow.js) and these are channels-first: save them with x.transpose(0, 2, 3, 1)'
      : flat && model.length > 1 && modelSize === featureShape[0]
        ? `reshape each row with data.shape: ${JSON.stringify(model)}`
        : flat && table
          ? 'choose the matching feature columns (--features/--exclude/--categorical, or data.features/exclude/categorical in a spec) or a model built for this data'
          : `give data whose samples have the model's input shape ${fmt(model)}, or use a model built for this data`;
  return new DataError(
    `${where}: each sample has shape ${fmt(featureShape)}${note ? ` (${note})` : ''}, but the model's input expects ${fmt(model)}: ${hint}`,
  );
}

/**
 * Checks before training that the targets fit the model's output and its loss, so a mismatch is a clear exit-2
 * error naming both sides instead of a tfjs shape error, a silent broadcast, or a meaningless audit.
 */
export function checkTargetsFit(d: Dataset, m: ModelEnds): void {
  const k = targetWidth(d);
  const u = m.outputUnits;
  const src = d.source;
  const softmax = m.outputActivation === 'softmax';
  if (d.task === 'regression') {
    if (k !== u) {
      throw new DataError(
        `${src}: the data has ${k} target${k === 1 ? '' : 's'} per row but the model outputs ${u} value${u === 1 ? '' : 's'}: ` +
          (k < u ? `give ${u} label columns (data.label: [...]) ` : '') +
          `or use a model with ${k} output unit${k === 1 ? '' : 's'}`,
      );
    }
    if (
      (m.loss === 'sparseCategoricalCrossentropy' || m.loss === 'categoricalCrossentropy') &&
      k === 1 &&
      d.y.every((v) => Number.isInteger(v) && v >= 0)
    ) {
      throw new DataError(
        `${src}: the labels are integers up to ${maxOf(d.y)}, read as regression values (more than 50 distinct ids), but the loss is ` +
          `${m.loss}: set data.task: classification`,
      );
    }
    if (m.loss === 'sparseCategoricalCrossentropy' || m.loss === 'categoricalCrossentropy') {
      throw new DataError(
        `${src}: the labels are not class ids (integers >= 0; e.g. ${firstNonInteger(d.y)}) but the loss is ${m.loss}: ` +
          'use meanSquaredError for continuous targets, or set data.task: classification if they are classes',
      );
    }
    if (m.loss === 'binaryCrossentropy' && d.y.some((v) => v < 0 || v > 1)) {
      throw new DataError(
        `${src}: binaryCrossentropy needs targets in [0, 1], but they range ${minOf(d.y)}..${maxOf(d.y)}: use meanSquaredError, or labels 0/1`,
      );
    }
    return;
  }
  if (d.multiLabel) {
    if (k !== u)
      throw new DataError(
        `${src}: ${k} labels per row (multi-label) but the model has ${u} output units: use ${k} sigmoid units with binaryCrossentropy`,
      );
    if (softmax || m.loss === 'categoricalCrossentropy' || m.loss === 'sparseCategoricalCrossentropy') {
      throw new DataError(
        `${src}: a multi-label target (rows with several 1s among ${k} labels) with ${softmax ? 'a softmax output' : m.loss}: ` +
          `softmax makes the labels compete; use ${k} sigmoid units with binaryCrossentropy (or labelKind: one-hot if each row has one class)`,
      );
    }
    return;
  }
  const classes = Math.max(d.numClasses, maxOf(d.y) + 1);
  const name = (n: number) => `${n} class${n === 1 ? '' : 'es'}`;
  const classFix = `use ${classes} softmax units with categoricalCrossentropy (or sparseCategoricalCrossentropy)`;
  if (m.loss === 'binaryCrossentropy' && u === 1) {
    if (classes > 2) {
      throw new DataError(
        `${src}: the labels have ${name(classes)} (ids up to ${classes - 1}) but binaryCrossentropy with 1 output unit needs 0/1 labels: ${classFix}`,
      );
    }
    // A softmax over that 1 unit fits the shapes: output-activation judges it from the run, with evidence.
    return;
  }
  if (u === 1 && (m.loss === 'categoricalCrossentropy' || m.loss === 'sparseCategoricalCrossentropy')) {
    throw new DataError(
      `${src}: ${name(classes)} but the model has 1 output unit with ${m.loss}: ` +
        (classes <= 2 ? 'use 1 sigmoid unit with binaryCrossentropy, or 2 softmax units' : classFix),
    );
  }
  if (u === 1 && classes > 2) {
    throw new DataError(`${src}: ${name(classes)} but the model has 1 output unit (${m.loss}): ${classFix}`);
  }
  if (u > 1 && classes > u) {
    throw new DataError(
      `${src}: the labels have ${name(classes)} (ids up to ${classes - 1}) but the model's last layer has ${u} units: ` +
        `${classFix}, or check data.classes / the label column`,
    );
  }
}

function firstNonInteger(y: Float32Array): number {
  return y.find((v) => !Number.isInteger(v) || v < 0) ?? y[0] ?? NaN;
}

function minOf(a: Float32Array): number {
  let m = Infinity;
  for (const v of a) if (v < m) m = v;
  return m;
}
