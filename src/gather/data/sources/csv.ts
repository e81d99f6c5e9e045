import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { DataError } from '../../../errors.js';
import { readTable } from '../tabular.js';
import { defineSource } from './source.js';
import { openCheckedFd } from '../../../policy/open-input.js';
import { parseErrorText } from '../../../policy/redact.js';

/**
 * Characters one CSV record may hold: csv-parse would otherwise grow a single 300 MB line in memory.
 * 1 Mi characters is a row of ~100k numeric columns, far wider than any table a dense model is audited on
 * (and csv-parse takes seconds to reach even that on one line).
 */
export const MAX_CSV_RECORD_CHARS = 1024 * 1024;

/** CSV with a header row, streamed line by line (csv-parse), so a large file is never held as text. */
export default defineSource({
  key: 'csv',
  detect: (file, isDir) => !isDir && /\.csv$/i.test(file),
  async open(spec, ctx) {
    const file = path.resolve(ctx.baseDir, spec.csv);
    // The policy chokepoint: confinement (worker), a regular file (not /dev/zero), the size cap.
    // The stream reads the descriptor that was checked, so the path cannot be swapped for a FIFO in between.
    const fd = openCheckedFd(file, 'data file', DataError);
    const records = createReadStream('', { fd }).pipe(
      parse({
        bom: true,
        skip_empty_lines: true,
        trim: true,
        relax_column_count: false,
        max_record_size: MAX_CSV_RECORD_CHARS,
      }),
    );
    const iterator = records[Symbol.asyncIterator]() as AsyncIterator<string[]>;
    const rest: AsyncIterable<string[]> = { [Symbol.asyncIterator]: () => iterator };
    try {
      const first = await iterator.next();
      if (first.done) throw new DataError(`${file}: needs a header row and at least one data row`);
      return await readTable(file, first.value, rest, { ...spec, maxRows: spec.maxRows }, ctx, `csv:${file}`);
    } catch (e) {
      throw asDataError(e, file);
    } finally {
      records.destroy();
    }
  },
});

function asDataError(e: unknown, file: string): Error {
  if (e instanceof DataError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DataError(`${file}: data file not found`);
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new DataError(
      `${file}: a row is longer than ${MAX_CSV_RECORD_CHARS.toLocaleString('en-US')} characters (the CSV record cap); is it a CSV with line breaks? Wider tables belong in .npy`,
    );
  }
  if (typeof code === 'string' && code.startsWith('CSV_'))
    return new DataError(`${file}: ${parseErrorText(e, 'CSV').replace('invalid CSV', 'not a valid CSV')}`);
  if (typeof code === 'string') return new DataError(`${file}: cannot read the data file (${code})`, { cause: e });
  return e as Error;
}
