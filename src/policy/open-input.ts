import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UserInputError } from '../errors.js';
import { confinePath } from './confined-path.js';
import { currentPolicy, recordRead } from './input-policy.js';
import { safeFetch } from './safe-fetch.js';

/** Seconds a URL may take, response and body: a stuck or dripping server must not hold a worker. */
export const HTTP_TIMEOUT_MS = 30_000;

/** NNAUDIT_HTTP_TIMEOUT_S lowers or raises it (a slow mirror; a test of the deadline). */
function httpTimeoutMs(): number {
  const s = Number(process.env['NNAUDIT_HTTP_TIMEOUT_S']);
  return Number.isFinite(s) && s > 0 ? s * 1000 : HTTP_TIMEOUT_MS;
}

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
export async function openInput(
  pathOrUrl: string,
  what: string,
  opts: { sameOrigin?: string; errorType?: ErrorType } = {},
): Promise<Uint8Array> {
  if (!isUrl(pathOrUrl)) return openFileSync(pathOrUrl, what, opts.errorType);
  const policy = currentPolicy();
  let bytes: Uint8Array;
  try {
    bytes = await safeFetch(pathOrUrl, policy, {
      timeoutMs: httpTimeoutMs(),
      maxBytes: policy.maxInputBytes,
      what,
      ...(opts.sameOrigin ? { sameOrigin: opts.sameOrigin } : {}),
    });
  } catch (e) {
    return as(opts.errorType, () => {
      throw e;
    });
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

/**
 * Opens and checks: a regular file under the size cap. /dev/zero, a FIFO or a folder would read forever,
 * block or fail obscurely. stat() never blocks, but open() on a FIFO waits for a writer, so the kind is
 * checked before opening; O_NONBLOCK makes the open itself return at once should the path be swapped for a
 * FIFO in between, and the fstat after it checks what was really opened.
 */
function openChecked(file: string, real: string, what: string, cap?: SizeCap): number {
  checkKind(file, what, statInput(file, real, what), cap);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw notReadable(file, what, e);
  }
  try {
    checkKind(file, what, fstatSync(fd), cap);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function statInput(file: string, real: string, what: string): Stats {
  try {
    return statSync(real);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && isSymlink(real)) {
      throw new UserInputError('input', `${file}: ${what} not found (a symlink to a missing file)`);
    }
    throw notReadable(file, what, e);
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A tighter size cap than the input cap for one kind of file (a spec), with the setting that raises it. */
export interface SizeCap {
  bytes: number;
  setting: string;
}

function checkKind(file: string, what: string, st: Stats, cap?: SizeCap): void {
  if (st.isDirectory()) throw new UserInputError('input', `${file}: ${what} is a folder, not a file`);
  if (!st.isFile()) throw new UserInputError('input', `${file}: ${what} is not a regular file (${kindOf(st)})`);
  const input = currentPolicy().maxInputBytes;
  const { bytes, setting } = cap && cap.bytes < input ? cap : { bytes: input, setting: 'limits.maxInputBytes' };
  if (st.size > bytes)
    throw new UserInputError(
      'input',
      `${file}: ${what} is ${st.size} bytes, over the ${bytes}-byte ${cap && bytes === cap.bytes ? 'size' : 'input'} cap (${setting})`,
    );
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

function notReadable(file: string, what: string, e: unknown): UserInputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new UserInputError('input', `${file}: ${what} not found`);
  if (code === 'EISDIR') return new UserInputError('input', `${file}: ${what} is a folder, not a file`);
  if (code === 'EACCES' || code === 'EPERM')
    return new UserInputError('input', `${file}: ${what} is not readable (permission denied)`);
  if (code === 'ELOOP') return new UserInputError('input', `${file}: ${what} is a symlink loop`);
  return new UserInputError('input', `${file}: cannot read ${what} (${code ?? 'error'})`);
}

/**
 * Opens a checked local input and returns its descriptor (regular file, size cap, never blocking): for
 * readers that stream (csv) or read a header only. The caller closes it.
 */
export function openCheckedFd(file: string, what: string, errorType?: ErrorType): number {
  return as(errorType, () => openChecked(file, confinePath(file, currentPolicy(), what), what));
}

/** Synchronous read of a local input under the current policy (for the synchronous data readers). */
export function openFileSync(file: string, what: string, errorType?: ErrorType, cap?: SizeCap): Buffer {
  return as(errorType, () => readAll(file, what, cap));
}

function readAll(file: string, what: string, cap?: SizeCap): Buffer {
  const real = confinePath(file, currentPolicy(), what);
  const fd = openChecked(file, real, what, cap);
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
