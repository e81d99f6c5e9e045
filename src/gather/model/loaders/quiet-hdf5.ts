import fs, { closeSync, openSync, readSync } from 'node:fs';
import { ModelLoadError } from '../../../errors.js';

/** Every HDF5 file starts with this signature (at byte 0, or after a user block of 512, 1024, 2048... bytes). */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Refuses a file without the HDF5 signature before libhdf5 sees it (random bytes, a renamed CSV). */
export function checkHdf5Signature(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    for (let off = 0; off <= 65536; off = off === 0 ? 512 : off * 2) {
      if (readSync(fd, head, 0, 8, off) < 8) break;
      if (head.equals(HDF5_SIGNATURE)) return;
    }
  } finally {
    closeSync(fd);
  }
  throw new ModelLoadError(
    `${file}: not an HDF5 file (no HDF5 signature): save the model with model.save('model.h5') in Keras`,
  );
}

/**
 * Runs a synchronous h5wasm call with stderr held back: libhdf5 prints its C error stack (kilobytes of
 * "HDF5-DIAG: Error detected...") to stderr before the call throws, and the user should see one line.
 * What was held back is dropped; the thrown error carries the reason.
 */
export function quietHdf5<T>(fn: () => T): T {
  // h5wasm's Emscripten file system writes fd 2 with fs.writeSync (NODERAWFS), not through process.stderr.
  const original = fs.writeSync;
  // Report every byte as written: a writer that sees 0 retries forever.
  const patched = ((fd: number, buf: unknown, ...rest: unknown[]) => {
    if (fd !== 2) return (original as (...a: unknown[]) => number)(fd, buf, ...rest);
    const length = rest[1];
    return typeof length === 'number'
      ? length
      : typeof buf === 'string'
        ? Buffer.byteLength(buf)
        : (buf as ArrayBufferView).byteLength;
  }) as typeof fs.writeSync;
  fs.writeSync = patched;
  try {
    return fn();
  } finally {
    fs.writeSync = original;
  }
}
