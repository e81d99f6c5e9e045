import type { History } from '../schema.js';
import { DataError } from '../../errors.js';
import { normalizeMetricName } from '../metric-names.js';
import { cellValue, columnName, epochValue, type CsvRow, type CsvTable } from './csv-table.js';

/**
 * PyTorch Lightning's CSVLogger `metrics.csv`. Each `self.log` call writes its own row, so one epoch's
 * training and validation metrics sit on separate rows with the other cells empty, and step-level logs
 * (`on_step=True`) add rows inside the epoch. A metric logged both per step and per epoch becomes two
 * columns, `train_loss_step` and `train_loss_epoch`. This merges the rows into one entry per epoch under
 * the Keras names the analyzers read: `train_loss` -> `loss`, `val_acc` -> `val_accuracy`.
 */

type Level = 'epoch' | 'plain' | 'step';

interface MetricColumn {
  col: number;
  key: string;
  validation: boolean;
  level: Level;
}

/** Where a metric comes from when several columns give it: the epoch-level value Lightning computed, then a column without suffix, then the step logs. */
const LEVELS: Level[] = ['epoch', 'plain', 'step'];

const TRAIN_PREFIXES = ['train', 'training'];
const VALIDATION_PREFIXES = ['val', 'valid', 'validation'];
/** Logged by trainer.test() after fit, on the last epoch's rows: not part of the per-epoch history. */
const SKIPPED_PREFIXES = ['test'];

/** The training-loss columns a file must have one of (each may carry _epoch or _step). */
export const LIGHTNING_LOSS_COLUMNS = ['loss', ...TRAIN_PREFIXES.flatMap((p) => [`${p}_loss`, `${p}/loss`])];

/** A column's history key, split and level; null for bookkeeping and test columns. */
export function lightningColumn(name: string, col: number): MetricColumn | null {
  if (name === 'epoch' || name === 'step') return null;
  const suffix = /^(.+)_(epoch|step)$/.exec(name);
  const base = suffix ? suffix[1]! : name;
  const level: Level = suffix ? (suffix[2] as Level) : 'plain';
  const prefixed = /^([a-z]+)[_/.-](.+)$/i.exec(base);
  const prefix = prefixed?.[1]!.toLowerCase() ?? '';
  if (prefixed && SKIPPED_PREFIXES.includes(prefix)) return null;
  const validation = prefixed !== null && VALIDATION_PREFIXES.includes(prefix);
  // A name without a split prefix (`loss`, `acc`, `lr-Adam`) is a training-side series, as in Keras.
  const metric = prefixed && (validation || TRAIN_PREFIXES.includes(prefix)) ? prefixed[2]! : base;
  return { col, key: normalizeMetricName(validation ? `val_${metric}` : metric), validation, level };
}

/** Whether a CSV is Lightning's rather than Keras' CSVLogger: a `step` column, or an epoch on more than one row. */
export function isLightningTable(t: CsvTable): boolean {
  if (t.header.includes('step')) return true;
  const col = t.header.indexOf('epoch');
  if (col < 0) return false;
  const cells = t.rows.map((r) => r.cells[col] ?? '').filter((c) => c !== '');
  return new Set(cells).size < cells.length;
}

export function fromLightningCsv(t: CsvTable): History {
  const epochCol = t.header.indexOf('epoch');
  if (epochCol < 0)
    throw new DataError(
      `${t.file}: a Lightning metrics.csv needs an "epoch" column to merge its rows by epoch; this one has none`,
    );
  // Rows without an epoch are written by callbacks that log with an explicit step (LearningRateMonitor): no epoch to merge into.
  const rows = t.rows.flatMap((r) => {
    const e = epochValue(t, r, epochCol);
    return e === undefined ? [] : [{ row: r, epoch: e + 1 }]; // Lightning counts epochs from 0; the artifacts count from 1
  });
  const chosen = chooseColumns(
    t,
    rows.map((x) => x.row),
  );
  const perEpoch = new Map<number, Map<string, Array<number | null>>>();
  for (const { row, epoch } of rows) {
    for (const c of chosen) {
      const v = cellValue(t, row, c.col);
      if (v === undefined) continue;
      const keys = perEpoch.get(epoch) ?? new Map<string, Array<number | null>>();
      perEpoch.set(epoch, keys);
      const values = keys.get(c.key) ?? [];
      keys.set(c.key, values);
      values.push(v);
    }
  }
  const epochs = [...perEpoch.keys()].sort((a, b) => a - b);
  const series: History['series'] = {};
  for (const c of chosen) series[c.key] = epochs.map((e) => reduce(perEpoch.get(e)!.get(c.key), c));
  if (!('loss' in series)) {
    throw new DataError(
      `${t.file}: no epoch has a training loss; looked for a column named ${LIGHTNING_LOSS_COLUMNS.join(', ')} ` +
        '(each also with _epoch or _step) holding a value on a row with an epoch',
    );
  }
  return { epochs, series };
}

/** One column per history key: the best level that holds a value on some row with an epoch. */
function chooseColumns(t: CsvTable, rows: CsvRow[]): MetricColumn[] {
  const byKey = new Map<string, MetricColumn[]>();
  t.header.forEach((name, col) => {
    const c = lightningColumn(name, col);
    if (c && rows.some((r) => cellValue(t, r, col) !== undefined)) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  });
  return [...byKey.values()].map((cols) => {
    const level = LEVELS.find((l) => cols.some((c) => c.level === l))!;
    const same = cols.filter((c) => c.level === level);
    if (same.length > 1)
      throw new DataError(
        `${t.file}: ${columnName(t, same[0]!.col)} and ${columnName(t, same[1]!.col)} name the same series; keep one`,
      );
    return same[0]!;
  });
}

/**
 * An epoch's value from the values its rows logged. Epoch-level values are what Lightning computed over
 * the epoch; validation is judged at the epoch's end, so with several evaluations in an epoch
 * (val_check_interval < 1) the last counts. Training values logged per step are single batches: their
 * mean is the epoch's loss as Keras reports it (the mean over the epoch's batches), and a non-finite
 * batch makes it non-finite.
 */
function reduce(values: Array<number | null> | undefined, c: MetricColumn): number | null {
  if (!values || values.length === 0) return null;
  if (c.level === 'epoch' || (c.level === 'plain' && c.validation)) return values[values.length - 1]!;
  if (values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}
