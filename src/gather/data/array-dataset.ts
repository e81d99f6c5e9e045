import { DataError } from '../../errors.js';
import type { Dataset } from './dataset.js';
import { encodeNumericLabels, encodeTargetColumns, type LabelKind, type Task } from './labels.js';

/**
 * x of shape [rows, ...featureShape] and y of shape [rows] or [rows, k] (npy, npz, idx) -> a Dataset. NaN or
 * infinite features are refused here, at the boundary, naming the array and index.
 */
export function arraysToDataset(
  x: { shape: number[]; data: Float32Array },
  y: { shape: number[]; data: Float32Array },
  names: { x: string; y: string },
  task: Task,
  labelKind: LabelKind,
  source: string,
): Dataset {
  if (x.shape.length < 2)
    throw new DataError(
      `${names.x}: shape (${x.shape.join(', ')}): expected [rows, features...] (at least 2 dimensions)`,
    );
  const rows = x.shape[0]!;
  if (y.shape[0] !== rows) throw new DataError(`${names.x} has ${rows} rows but ${names.y} has ${y.shape[0] ?? 0}`);
  if (y.shape.length > 2)
    throw new DataError(`${names.y}: shape (${y.shape.join(', ')}): expected [rows] or [rows, targets]`);
  const bad = x.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new DataError(
      `${names.x}: value ${bad} (row ${Math.floor(bad / (x.data.length / rows))}) is ${x.data[bad]}; clean or impute the data first`,
    );
  const k = y.shape[1] ?? 1;
  const targets =
    k === 1 && y.shape.length === 1
      ? encodeNumericLabels(y.data, task, names.y)
      : encodeTargetColumns(
          y.data,
          k,
          Array.from({ length: k }, (_, i) => `${i}`),
          task === 'regression' ? 'targets' : labelKind,
          names.y,
          `columns of ${names.y}`,
        );
  return { ...targets, x: x.data, featureShape: x.shape.slice(1), featureNames: [], source };
}
