import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserInputError } from '../errors.js';
import { confinePath } from './confined-path.js';
import { currentPolicy, recordRead } from './input-policy.js';
import { safeFetch } from './safe-fetch.js';

/** Seconds a URL may take: a stuck server must not hold a worker. */
export const HTTP_TIMEOUT_MS = 30_000;

export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** The caller's typed error (ModelLoadError, DataError, ...): a reader's errors keep their kind whatever the cause. */
export type ErrorType = new (message: string, options?: { cause?: unknown }) => UserInputError;

function as<T>(type: ErrorType | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (type && e instanceof UserInputError && !(e instanceof type)) throw new type((e as Error).message, { cause: e });
    throw e;
  }
}

/**
 * The one chokepoint every spec-named input goes through: a local file (confined to NNAUDIT_DATA_DIRS
 * under a worker, realpath-checked, a regular file, under the size cap) or an http(s) URL (see safe-fetch).
 * Data sources and model loaders call this instead of fs/fetch, so the worker's policy covers them too.
 *
 * @example
 *   const bytes = await openInput(path.resolve(baseDir, spec.csv), 'data file');
 */
export async function openInput(pathOrUrl: string, what: string, opts: { sameOrigin?: string; errorType?: ErrorType } = {}): Promise<Uint8Array> {
  if (!isUrl(pathOrUrl)) return openFileSync(pathOrUrl, what, opts.errorType);
  const policy = currentPolicy();
  let bytes: Uint8Array;
  try {
    bytes = await safeFetch(pathOrUrl, policy, {
      timeoutMs: HTTP_TIMEOUT_MS, maxBytes: policy.maxInputBytes, what, ...(opts.sameOrigin ? { sameOrigin: opts.sameOrigin } : {}),
    });
  } catch (e) {
    return as(opts.errorType, () => { throw e; });
  }
  recordRead(bytes);
  return bytes;
}

/**
 * Checks a local path against the policy and returns the real path, for libraries that open files
 * themselves (h5wasm). The same checks as openFileSync except reading.
 */
export function checkedPath(file: string, what: string, errorType?: ErrorType): string {
  return as(errorType, () => {
    const real = confinePath(file, currentPolicy(), what);
    closeSync(openChecked(file, real, what));
    return real;
  });
}

/** Opens and checks: a regular file under the size cap. /dev/zero, a FIFO or a folder would read forever or fail obscurely. */
function openChecked(file: string, real: string, what: string): number {
  let fd: number;
  try {
    fd = openSync(real, 'r');
  } catch (e) {
    throw notReadable(file, what, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserInputError('input', `${file}: ${what} is not a regular file`);
    const cap = currentPolicy().maxInputBytes;
    if (st.size > cap) throw new UserInputError('input', `${file}: ${what} is ${st.size} bytes, over the ${cap}-byte input cap (limits.maxInputBytes)`);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function notReadable(file: string, what: string, e: unknown): UserInputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserInputError('input', `${file}: ${what} not found`);
  if (code === 'EISDIR') return new UserInputError('input', `${file}: ${what} is a folder, not a file`);
  return new UserInputError('input', `${file}: cannot read ${what} (${code ?? 'error'})`);
}

/** Synchronous read of a local input under the current policy (for the synchronous data readers). */
export function openFileSync(file: string, what: string, errorType?: ErrorType): Buffer {
  return as(errorType, () => readAll(file, what));
}

function readAll(file: string, what: string): Buffer {
  const real = confinePath(file, currentPolicy(), what);
  const fd = openChecked(file, real, what);
  try {
    const st = fstatSync(fd);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    const out = buf.subarray(0, off);
    recordRead(out);
    return out;
  } catch (e) {
    throw e instanceof UserInputError ? e : notReadable(file, what, e);
  } finally {
    closeSync(fd);
  }
}
