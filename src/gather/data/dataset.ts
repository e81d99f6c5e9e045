/** A dataset as plain arrays, before encoding for a particular loss. */
export interface Dataset {
  /** Row-major features, one row per sample, each row of length prod(featureShape). */
  x: Float32Array;
  /** Class index (classification) or target value (regression), one per sample. */
  y: Float32Array;
  featureShape: number[];
  featureNames: string[];
  task: 'classification' | 'regression';
  /** 0 for regression. */
  numClasses: number;
  /** Where the rows came from, for the report. */
  source: string;
}

export function rowCount(d: Dataset): number {
  return d.y.length;
}

export function rowWidth(d: Dataset): number {
  return d.featureShape.reduce((a, b) => a * b, 1);
}

/** Rows `indices` of `d`, in that order. */
export function takeRows(d: Dataset, indices: readonly number[]): Dataset {
  const w = rowWidth(d);
  const x = new Float32Array(indices.length * w);
  const y = new Float32Array(indices.length);
  indices.forEach((src, dst) => {
    x.set(d.x.subarray(src * w, src * w + w), dst * w);
    y[dst] = d.y[src]!;
  });
  return { ...d, x, y };
}
