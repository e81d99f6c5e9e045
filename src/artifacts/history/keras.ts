import type { History } from '../schema.js';
import { DataError } from '../../errors.js';
import { normalizeMetricName } from '../metric-names.js';
import { quoteInput, showInput } from '../../policy/redact.js';
import { cellValue, epochValue, type CsvTable } from './csv-table.js';

/** A Keras `history.history` dict (`{"loss": [...], "val_loss": [...]}`), bare or as `{"history": {...}}`. */
export function fromKerasJson(obj: unknown, file: string): History {
  const dict = (
    obj !== null && typeof obj === 'object' && 'history' in obj ? (obj as { history: unknown }).history : obj
  ) as Record<string, unknown>;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict))
    throw new DataError(
      `${file}: expected a Keras history dict like {"loss": [...], "val_loss": [...]}, or a Hugging Face trainer_state.json with "log_history"`,
    );
  const series: History['series'] = {};
  let length = -1;
  for (const [key, values] of Object.entries(dict)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' || v === null)) {
      throw new DataError(`${file}: ${quoteInput(key)} must be an array of numbers`);
    }
    if (length >= 0 && values.length !== length)
      throw new DataError(`${file}: ${quoteInput(key)} has ${values.length} values, others have ${length}`);
    length = values.length;
    series[normalizeMetricName(key)] = values as Array<number | null>;
  }
  if (!('loss' in series))
    throw new DataError(
      `${file}: the history has no "loss" series (keys: ${showInput(Object.keys(dict).join(', ')) || 'none'})`,
    );
  return { epochs: Array.from({ length }, (_, i) => i + 1), series };
}

/** A Keras CSVLogger file: an `epoch` column and one full row per epoch (without the column, each row is an epoch). */
export function fromKerasCsv(t: CsvTable): History {
  const epochCol = t.header.indexOf('epoch');
  const series: History['series'] = {};
  t.header.forEach((name, col) => {
    if (col !== epochCol) series[normalizeMetricName(name)] = t.rows.map((r) => cellValue(t, r, col) ?? null);
  });
  if (!('loss' in series)) throw new DataError(`${t.file}: the CSV history has no "loss" column`);
  // Keras' CSVLogger counts epochs from 0; the artifacts count from 1. Logs without the column are one row per epoch.
  const epochs = t.rows.map((r, i) => {
    if (epochCol < 0) return i + 1;
    const e = epochValue(t, r, epochCol);
    if (e === undefined) throw new DataError(`${t.file}:${r.line}: the epoch cell is empty`);
    return e + 1;
  });
  return { epochs, series };
}
