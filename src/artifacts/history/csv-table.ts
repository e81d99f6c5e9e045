import { parse } from 'csv-parse/sync';
import { DataError } from '../../errors.js';
import { parseErrorText, quoteInput } from '../../policy/redact.js';

/** One CSV record and the file line it ends on, so an error can point at it. */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** A CSV history file: its header and its data rows. */
export interface CsvTable {
  file: string;
  header: string[];
  rows: CsvRow[];
}

/** Parses a CSV history: a header row and at least one data row; every row as wide as the header. */
export function readCsvTable(text: string, file: string): CsvTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // With info: true each record comes as { record, info } (csv-parse's sync typings do not model that option).
    records = parse(text, { skip_empty_lines: true, trim: true, info: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    throw new DataError(`${file}: ${parseErrorText(e, 'CSV')}`, { cause: e });
  }
  if (records.length === 0) throw new DataError(`${file}: the history file is empty`);
  const header = records[0]!.record;
  const seen = new Map<string, number>();
  header.forEach((name, col) => {
    const first = seen.get(name);
    if (first !== undefined)
      throw new DataError(
        `${file}:1: columns ${first + 1} and ${col + 1} have the same name; a history needs one column per series`,
      );
    seen.set(name, col);
  });
  if (records.length === 1) throw new DataError(`${file}: the CSV history has a header row but no data rows`);
  return { file, header, rows: records.slice(1).map((r) => ({ line: r.info.lines, cells: r.record })) };
}

/** "column 4 "val_loss"": a column by its number and (outside a worker) its name. */
export function columnName(t: CsvTable, col: number): string {
  return `column ${col + 1} ${quoteInput(t.header[col] ?? '')}`;
}

/** Python's spellings of a value that is not finite (Keras and Lightning write a diverged loss this way), and pandas' NA. */
const NOT_FINITE = /^(nan|[+-]?inf(inity)?|na|n\/a|none|null)$/i;

/**
 * A cell as a history value: undefined when empty (the metric was not logged on this row), null when it
 * is not finite (nan, inf), else the number. Anything else is an error naming the line and column, not the cell.
 */
export function cellValue(t: CsvTable, row: CsvRow, col: number): number | null | undefined {
  const raw = row.cells[col] ?? '';
  if (raw === '') return undefined;
  if (NOT_FINITE.test(raw)) return null;
  const v = Number(raw);
  if (Number.isFinite(v)) return v;
  throw new DataError(
    `${t.file}:${row.line}: ${columnName(t, col)} is not a number (a history cell holds a number, nan, or nothing)`,
  );
}

/** An epoch cell: undefined when empty, else a whole number >= 0 (Keras and Lightning count epochs from 0). */
export function epochValue(t: CsvTable, row: CsvRow, col: number): number | undefined {
  const raw = row.cells[col] ?? '';
  if (raw === '') return undefined;
  const v = Number(raw);
  if (Number.isInteger(v) && v >= 0) return v;
  throw new DataError(`${t.file}:${row.line}: ${columnName(t, col)} is not an epoch number (a whole number from 0)`);
}
