import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ModelLoadError, UserInputError } from '../errors.js';
import type { InputPolicy } from './input-policy.js';

/** Is `child` (a real path) `dir` itself or inside it? Lexical on real paths, so symlinks are already resolved. */
export function isInside(dir: string, child: string): boolean {
  const rel = path.relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a file path through every symlink and checks it lies under one of the policy's data folders.
 * Returns the real path to open (so a symlink swapped after the check still opens what was checked,
 * short of a race on the final component). A missing file is reported as such, without saying what exists.
 */
export function confinePath(file: string, policy: InputPolicy, what: string): string {
  if (policy.dataDirs === null) return file;
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(
      'policy',
      code === 'ENOENT' ? `${file}: ${what} not found` : `${file}: cannot open ${what} (${code ?? 'error'})`,
    );
  }
  if (!policy.dataDirs.some((d) => isInside(d, real))) {
    throw new UserInputError(
      'policy',
      `${file}: ${what} is outside the folders this worker may read ` +
        `(NNAUDIT_DATA_DIRS=${policy.dataDirs.join(',')}); symlinks are followed before this check. Put the file under one of them.`,
    );
  }
  return real;
}

/** A model's shard must really live in the model's folder: realpath both, so a symlinked shard cannot escape. */
export function confineShard(modelFile: string, shardFile: string): string {
  let dir: string;
  let real: string;
  try {
    dir = realpathSync(path.dirname(modelFile));
    real = realpathSync(shardFile);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      code === 'ENOENT'
        ? `${shardFile}: weight shard not found`
        : `${shardFile}: cannot open weight shard (${code ?? 'error'})`,
    );
  }
  if (!isInside(dir, real)) {
    throw new ModelLoadError(
      `${modelFile}: weight shard "${path.basename(shardFile)}" resolves (through a symlink) outside the model's folder ${dir}; refusing to load it`,
    );
  }
  return real;
}
