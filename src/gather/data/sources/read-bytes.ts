import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { DataError } from '../../../errors.js';

/** The whole file, or a DataError naming it. */
export function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw fileError(e, file);
  }
}

/** The first `n` bytes (a header), without reading the rest. */
export function readHead(file: string, n: number): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch (e) {
    throw fileError(e, file);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function fileError(e: unknown, file: string): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  return new DataError(code === 'ENOENT' ? `${file}: data file not found` : `${file}: cannot read: ${(e as Error).message}`);
}
