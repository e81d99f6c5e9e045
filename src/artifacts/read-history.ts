import type { History } from './schema.js';
import { DataError } from '../errors.js';
import { openFileSync } from '../policy/open-input.js';
import { parseErrorText } from '../policy/redact.js';
import { readCsvTable } from './history/csv-table.js';
import { fromKerasCsv, fromKerasJson } from './history/keras.js';
import { fromLightningCsv, isLightningTable } from './history/lightning.js';
import { fromHfTrainerState } from './history/hf-trainer.js';

/**
 * Reads a training history a user saved elsewhere, one entry per epoch under Keras' names (`loss`,
 * `val_loss`, `accuracy`, `val_accuracy`...). The format is told by the content, not the file name:
 * - JSON with `log_history`: a Hugging Face Trainer `trainer_state.json`;
 * - other JSON: a Keras `history.history` dict (`{"loss": [...], "val_loss": [...]}`);
 * - CSV with a `step` column, or an epoch on several rows: a PyTorch Lightning CSVLogger `metrics.csv`;
 * - other CSV: a Keras CSVLogger log (an `epoch` column; without one, a row per epoch).
 *
 * @example
 *   const h = readHistoryFile('lightning_logs/version_0/metrics.csv'); // h.series.val_loss[0] is epoch 1's
 */
export function readHistoryFile(file: string): History {
  // The policy chokepoint (worker: NNAUDIT_DATA_DIRS, and the input size cap).
  const text = openFileSync(file, 'history file', DataError)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start === '') throw new DataError(`${file}: the history file is empty`);
  if (start.startsWith('{') || start.startsWith('[')) {
    const obj = parseJson(text, file);
    const isTrainerState = obj !== null && typeof obj === 'object' && !Array.isArray(obj) && 'log_history' in obj;
    return isTrainerState ? fromHfTrainerState(obj as Record<string, unknown>, file) : fromKerasJson(obj, file);
  }
  const table = readCsvTable(text, file);
  return isLightningTable(table) ? fromLightningCsv(table) : fromKerasCsv(table);
}

/**
 * JSON.parse, and where that fails, again with Python's NaN and Infinity read as null: Python's json
 * module writes them for a diverged loss (Keras' history dict, the Trainer's state), and JSON has no such tokens.
 */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const patched = text.replace(/([:,[]\s*)-?(?:NaN|Infinity)(?=\s*[,\]}])/g, '$1null');
    if (patched !== text) {
      try {
        return JSON.parse(patched);
      } catch {
        // the original error names the first problem
      }
    }
    throw new DataError(`${file}: ${parseErrorText(e, 'JSON')}`, { cause: e });
  }
}
