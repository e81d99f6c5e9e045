import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SpecError } from '../errors.js';

/** Pseudo file systems where a write can block or mean something else entirely: never a place for results. */
const PSEUDO = ['/proc', '/sys', '/dev'];

/**
 * Checks, before any training, that --out can hold results: not under /proc, /sys or /dev (a write there
 * can hang), not a file or under one, creatable and writable. A run must not train for minutes and then
 * fail to save.
 */
export function checkOutDir(dir: string, flag = '--out'): void {
  const abs = path.resolve(dir);
  if (PSEUDO.some((p) => abs === p || abs.startsWith(`${p}/`))) {
    throw new SpecError(
      `${flag} ${dir}: ${abs.split('/')[1] ? `/${abs.split('/')[1]}` : abs} is a system pseudo file system, not a folder for results; choose another folder`,
    );
  }
  for (let p = abs; ; p = path.dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (p === path.dirname(p)) break;
      continue;
    }
    if (!st.isDirectory())
      throw new SpecError(`${flag} ${dir}: ${p} is a file, so it cannot hold the output folder; choose another path`);
    break;
  }
  try {
    mkdirSync(abs, { recursive: true });
    const probe = path.join(abs, `.nnaudit-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new SpecError(
      `${flag} ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? 'error'}); choose a folder you can write to`,
    );
  }
}

/**
 * The same check for a single output file (--junit, --markdown): its folder can hold it, and the path is not a
 * folder, a FIFO or a read-only file. Checked before training, like --out.
 */
export function checkOutFile(file: string, flag: string): void {
  const abs = path.resolve(file);
  checkOutDir(path.dirname(abs), flag);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return; // a new file in a writable folder
  }
  if (st.isDirectory()) throw new SpecError(`${flag} ${file}: is a folder; give a file name`);
  if (!st.isFile()) throw new SpecError(`${flag} ${file}: is not a regular file (a FIFO or device); give a file name`);
  try {
    accessSync(abs, constants.W_OK);
  } catch {
    throw new SpecError(`${flag} ${file}: the file is not writable; choose another path`);
  }
}
