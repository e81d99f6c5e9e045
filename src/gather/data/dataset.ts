/** A dataset as plain arrays, before encoding for a particular loss. Every source returns one. */
export interface Dataset {
  /** Row-major features, one row per sample, each row of length prod(featureShape). */
  x: Float32Array;
  /**
   * Targets, `yWidth` values per row: a class index (classification, width 1), k regression targets, or k 0/1
   * labels (multiLabel).
   */
  y: Float32Array;
  featureShape: number[];
  featureNames: string[];
  task: 'classification' | 'regression';
  /** 0 for regression; the number of labels for a multi-label target. */
  numClasses: number;
  /** Where the rows came from, for the report. */
  source: string;
  /** Values per row of y; 1 when absent. */
  yWidth?: number;
  /** y holds yWidth independent 0/1 labels per row (multi-label classification), not one class id. */
  multiLabel?: boolean;
  /** Class names in class-id order, and how that order was chosen: a wrong order silently ruins accuracy. */
  classes?: ClassOrder;
  /**
   * Categorical feature columns still holding codes (index into `values`): prepareData encodes them with the
   * categories of the training split, so a category seen only in validation is an error, not a silent column.
   */
  categorical?: PendingCategorical[];
}

export interface PendingCategorical {
  name: string;
  /** Position in the (flat) feature row. */
  column: number;
  /** Distinct values in order of first appearance; a row's code is an index into this list. */
  values: string[];
  encode: 'one-hot' | 'ordinal';
}

export interface ClassOrder {
  names: string[];
  /** e.g. "sorted folder names (Keras image_dataset_from_directory)", "data.classes", "sorted label values". */
  order: string;
}

export function targetWidth(d: Dataset): number {
  return d.yWidth ?? 1;
}

/** One class id per row among at least two classes: the rows per-class recall and the neighbour vote are made for. */
export function isSingleLabelClassification(d: Dataset): boolean {
  return d.task === 'classification' && !d.multiLabel && targetWidth(d) === 1 && d.numClasses >= 2;
}

export function rowCount(d: Dataset): number {
  return d.y.length / targetWidth(d);
}

export function rowWidth(d: Dataset): number {
  return d.featureShape.reduce((a, b) => a * b, 1);
}

/** Rows `indices` of `d`, in that order. */
export function takeRows(d: Dataset, indices: readonly number[]): Dataset {
  const w = rowWidth(d);
  const k = targetWidth(d);
  const x = new Float32Array(indices.length * w);
  const y = new Float32Array(indices.length * k);
  indices.forEach((src, dst) => {
    x.set(d.x.subarray(src * w, src * w + w), dst * w);
    y.set(d.y.subarray(src * k, src * k + k), dst * k);
  });
  return { ...d, x, y };
}

/** Largest value without spreading into arguments (Math.max(...a) overflows the stack on ~100k+ rows). */
export function maxOf(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}
