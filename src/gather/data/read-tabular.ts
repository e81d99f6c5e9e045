import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError } from '../../errors.js';
import type { Dataset } from './dataset.js';
import { encodeLabels } from './labels.js';
import { readArrays } from './sources/json.js';

type Task = 'classification' | 'regression' | undefined;

/**
 * Reads a small CSV synchronously: numeric feature columns plus one label column. For scripts and tests; gather
 * reads data through the streaming sources (sources/csv.ts).
 */
export function readCsv(file: string, label: string, features: string[] | undefined, task: Task): Dataset {
  const text = readText(file);
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new DataError(`${file}: not a valid CSV: ${(e as Error).message}`);
  }
  const header = rows[0];
  if (header === undefined || rows.length < 2) throw new DataError(`${file}: needs a header row and at least one data row`);
  const labelIdx = header.indexOf(label);
  if (labelIdx < 0) throw new DataError(`${file}: no label column "${label}"; columns are: ${header.join(', ')}`);
  const featureNames = features ?? header.filter((_, i) => i !== labelIdx);
  const featureIdx = featureNames.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError(`${file}: no feature column "${name}"; columns are: ${header.join(', ')}`);
    return i;
  });
  const body = rows.slice(1);
  const x = new Float32Array(body.length * featureIdx.length);
  const rawLabels: string[] = [];
  body.forEach((row, r) => {
    featureIdx.forEach((c, j) => {
      x[r * featureIdx.length + j] = parseNumber(row[c], file, r + 2, header[c]!);
    });
    rawLabels.push(row[labelIdx] ?? '');
  });
  return { ...encodeLabels(rawLabels, task, file, label), x, featureShape: [featureIdx.length], featureNames, source: `csv:${file}` };
}

/** Reads `{ "x": [[...], ...], "y": [...] }` from a file or an inline object. */
export function readJsonArrays(input: string | { x: number[][]; y: number[] }, task: Task): Dataset {
  const where = typeof input === 'string' ? input : 'data.json';
  let obj: unknown = input;
  if (typeof input === 'string') {
    try {
      obj = JSON.parse(readText(input));
    } catch (e) {
      throw new DataError(`${input}: invalid JSON: ${(e as Error).message}`);
    }
  }
  return readArrays(obj, where, task, 'auto', typeof input === 'string' ? `json:${input}` : 'json:inline');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `${file}: data file not found` : `${file}: cannot read: ${(e as Error).message}`);
  }
}

function parseNumber(cell: string | undefined, file: string, line: number, column: string): number {
  const v = cell === undefined || cell === '' ? NaN : Number(cell);
  if (!Number.isFinite(v)) {
    throw new DataError(`${file}:${line}: column "${column}" is ${JSON.stringify(cell ?? '')}, expected a finite number (clean or impute the data first)`);
  }
  return v;
}
