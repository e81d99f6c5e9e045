import { parse } from 'csv-parse/sync';
import type { History } from './schema.js';
import { DataError } from '../errors.js';
import { normalizeMetricName } from './metric-names.js';
import { openFileSync } from '../policy/open-input.js';

/**
 * Reads a training history a user saved elsewhere: a Keras `history.history` dict as JSON
 * (`{"loss": [...], "val_loss": [...]}`) or a CSV log (Keras CSVLogger: an `epoch` column; without one, a row per epoch).
 */
export function readHistoryFile(file: string): History {
  const text = openFileSync(file, 'history file', DataError).toString('utf8'); // the policy chokepoint (worker: NNAUDIT_DATA_DIRS)
  return file.toLowerCase().endsWith('.csv') ? fromCsv(text, file) : fromJson(text, file);
}

function fromJson(text: string, file: string): History {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const dict = (obj !== null && typeof obj === 'object' && 'history' in obj ? (obj as { history: unknown }).history : obj) as Record<string, unknown>;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw new DataError(`${file}: expected a Keras history dict like {"loss": [...], "val_loss": [...]}`);
  const series: History['series'] = {};
  let length = -1;
  for (const [key, values] of Object.entries(dict)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' || v === null)) {
      throw new DataError(`${file}: "${key}" must be an array of numbers`);
    }
    if (length >= 0 && values.length !== length) throw new DataError(`${file}: "${key}" has ${values.length} values, others have ${length}`);
    length = values.length;
    series[normalizeMetricName(key)] = values as Array<number | null>;
  }
  if (!('loss' in series)) throw new DataError(`${file}: the history has no "loss" series (keys: ${Object.keys(dict).join(', ') || 'none'})`);
  return { epochs: Array.from({ length }, (_, i) => i + 1), series };
}

function fromCsv(text: string, file: string): History {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  if (rows.length === 0) throw new DataError(`${file}: a CSV history needs a header row and one row per epoch`);
  const hasEpoch = 'epoch' in rows[0]!;
  const series: History['series'] = {};
  for (const key of Object.keys(rows[0]!)) {
    if (key === 'epoch') continue;
    series[normalizeMetricName(key)] = rows.map((r) => {
      const v = Number(r[key]);
      return Number.isFinite(v) ? v : null;
    });
  }
  if (!('loss' in series)) throw new DataError(`${file}: the CSV history has no "loss" column`);
  // Keras' CSVLogger counts epochs from 0; the artifacts count from 1. Logs without the column are one row per epoch.
  return { epochs: rows.map((r, i) => (hasEpoch ? Number(r['epoch']) + 1 : i + 1)), series };
}
