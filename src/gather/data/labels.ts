import { DataError } from '../../errors.js';
import { quoteInput } from '../../policy/redact.js';
import { maxOf, type Dataset } from './dataset.js';

export type Task = 'classification' | 'regression' | undefined;
export type LabelKind = 'auto' | 'one-hot' | 'multi-label' | 'targets';
export type Targets = Pick<Dataset, 'y' | 'task' | 'numClasses' | 'yWidth' | 'multiLabel' | 'classes'>;

/** Integer labels 0..K-1 with K at most this many read as class ids; more distinct integers read as values. */
const MAX_GUESSED_CLASSES = 50;

/**
 * One label per row. Labels that are all integers 0..K-1 (K <= 50), or any non-numeric strings, mean
 * classification; other numbers mean regression. `task` overrides the guess. String classes are numbered in
 * sorted order (recorded in `classes`).
 */
export function encodeLabels(raw: string[], task: Task, where: string, column: string): Targets {
  const numeric = raw.map((v) => (v.trim() === '' ? NaN : Number(v)));
  const allNumeric = numeric.every(Number.isFinite);
  const integerClasses = allNumeric && numeric.every((v) => Number.isInteger(v) && v >= 0 && v < MAX_GUESSED_CLASSES);
  const resolved = task ?? (!allNumeric || integerClasses ? 'classification' : 'regression');
  if (resolved === 'regression') {
    const bad = numeric.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new DataError(
        `${where}: label "${column}" row ${bad + 1} is ${quoteInput(raw[bad] ?? '')}, expected a number for regression`,
      );
    return { y: Float32Array.from(numeric), task: 'regression', numClasses: 0 };
  }
  if (allNumeric && numeric.every((v) => Number.isInteger(v) && v >= 0)) {
    return { y: Float32Array.from(numeric), task: 'classification', numClasses: maxOf(numeric) + 1 };
  }
  const names = [...new Set(raw)].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  return {
    y: Float32Array.from(raw, (r) => index.get(r)!),
    task: 'classification',
    numClasses: names.length,
    classes: { names, order: `sorted values of "${column}"` },
  };
}

/** Class ids already numeric (npy, idx): integers >= 0 mean classification unless `task` says regression. */
export function encodeNumericLabels(values: Float32Array, task: Task, where: string): Targets {
  const integers = values.every((v) => Number.isInteger(v) && v >= 0);
  const resolved =
    task ??
    (integers && (values.length === 0 || maxOf(values) < Math.max(MAX_GUESSED_CLASSES, 256))
      ? 'classification'
      : 'regression');
  if (resolved === 'classification') {
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0);
    if (bad >= 0)
      throw new DataError(
        `${where}: label ${bad} is ${values[bad]}, not a class id (an integer >= 0); for continuous targets set data.task: regression`,
      );
    return { y: values, task: 'classification', numClasses: maxOf(values) + 1 };
  }
  return { y: values, task: 'regression', numClasses: 0 };
}

/**
 * k values per row (k label columns, or a 2-D y array). one-hot: each row has exactly one 1 -> a class id per row;
 * multi-label: all values 0/1 -> k independent labels; targets: k regression values. `auto` picks in that order.
 */
export function encodeTargetColumns(
  values: Float32Array,
  k: number,
  names: string[],
  kind: LabelKind,
  where: string,
  order: string,
): Targets {
  if (k === 1) return encodeNumericLabels(values, kind === 'targets' ? 'regression' : undefined, where);
  const rows = values.length / k;
  const binary = values.every((v) => v === 0 || v === 1);
  let oneHot = binary;
  for (let r = 0; oneHot && r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += values[r * k + c]!;
    oneHot = sum === 1;
  }
  const resolved = kind !== 'auto' ? kind : oneHot ? 'one-hot' : binary ? 'multi-label' : 'targets';
  if (resolved === 'one-hot') {
    if (!oneHot)
      throw new DataError(`${where}: labelKind one-hot, but not every row of the ${k} label columns has exactly one 1`);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) if (values[r * k + c] === 1) y[r] = c;
    return { y, task: 'classification', numClasses: k, classes: { names, order } };
  }
  if (resolved === 'multi-label') {
    if (!binary)
      throw new DataError(`${where}: labelKind multi-label, but the ${k} label columns hold values other than 0 and 1`);
    return { y: values, yWidth: k, task: 'classification', numClasses: k, multiLabel: true, classes: { names, order } };
  }
  return { y: values, yWidth: k, task: 'regression', numClasses: 0 };
}
