import { closeSync, readSync } from 'node:fs';
import { DataError } from '../../../errors.js';
import { openCheckedFd, openFileSync } from '../../../policy/open-input.js';

/** The whole file, or a DataError naming it. */
export function readBytes(file: string): Uint8Array {
  return openFileSync(file, 'data file', DataError); // the policy chokepoint (worker: NNAUDIT_DATA_DIRS)
}

/** The first `n` bytes (a header), without reading the rest. */
export function readHead(file: string, n: number): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openCheckedFd(file, 'data file', DataError); // checked before opening: a FIFO must not block
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch (e) {
    throw e instanceof DataError ? e : fileError(e, file);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function fileError(e: unknown, file: string): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  return new DataError(
    code === 'ENOENT'
      ? `${file}: data file not found`
      : `${file}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
  );
}
