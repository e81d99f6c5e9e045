import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { DataError } from '../../../errors.js';
import { readTable } from '../tabular.js';
import { defineSource } from './source.js';

/** CSV with a header row, streamed line by line (csv-parse), so a large file is never held as text. */
export default defineSource({
  key: 'csv',
  detect: (file, isDir) => !isDir && /\.csv$/i.test(file),
  async open(spec, ctx) {
    const file = path.resolve(ctx.baseDir, spec.csv);
    const records = createReadStream(file).pipe(parse({ skip_empty_lines: true, trim: true, relax_column_count: false }));
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
  if (typeof code === 'string' && code.startsWith('CSV_')) return new DataError(`${file}: not a valid CSV: ${(e as Error).message}`);
  if (typeof code === 'string') return new DataError(`${file}: cannot read: ${(e as Error).message}`, { cause: e });
  return e as Error;
}
