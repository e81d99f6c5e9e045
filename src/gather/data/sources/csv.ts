import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { DataError } from '../../../errors.js';
import { readTable } from '../tabular.js';
import { defineSource } from './source.js';
import { checkedPath } from '../../../policy/open-input.js';
import { parseErrorText } from '../../../policy/redact.js';

/** CSV with a header row, streamed line by line (csv-parse), so a large file is never held as text. */
export default defineSource({
  key: 'csv',
  detect: (file, isDir) => !isDir && /\.csv$/i.test(file),
  async open(spec, ctx) {
    const file = path.resolve(ctx.baseDir, spec.csv);
    // The policy chokepoint: confinement (worker), a regular file (not /dev/zero), the size cap.
    const records = createReadStream(checkedPath(file, 'data file', DataError)).pipe(parse({ skip_empty_lines: true, trim: true, relax_column_count: false }));
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
  if (typeof code === 'string' && code.startsWith('CSV_')) return new DataError(`${file}: ${parseErrorText(e, 'CSV').replace('invalid CSV', 'not a valid CSV')}`);
  if (typeof code === 'string') return new DataError(`${file}: cannot read: ${(e as Error).message}`, { cause: e });
  return e as Error;
}
