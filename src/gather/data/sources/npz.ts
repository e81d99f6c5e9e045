import path from 'node:path';
import { unzipSync } from 'fflate';
import { DataError, UserInputError } from '../../../errors.js';
import { parseNpy } from '../npy-format.js';
import { arraysToDataset } from '../array-dataset.js';
import { readBytes } from './read-bytes.js';
import { defineSource } from './source.js';
import { scalePixels } from '../pixels.js';
import { currentPolicy } from '../../../policy/input-policy.js';
import { showInput } from '../../../policy/redact.js';

/** Array names tried when data.arrays is absent: np.savez(f, x=..., y=...), then Keras' mnist.npz layout. */
const DEFAULT_KEYS = [
  { x: 'x', y: 'y' },
  { x: 'x_train', y: 'y_train' },
];

/** A NumPy .npz archive (np.savez or np.savez_compressed): a zip of .npy files, unzipped with fflate. */
export default defineSource({
  key: 'npz',
  detect: (file, isDir) => !isDir && /\.npz$/i.test(file),
  async open(spec, ctx) {
    const file = path.resolve(ctx.baseDir, spec.npz);
    const bytes = readBytes(file);
    let names: string[];
    let entries: Record<string, Uint8Array>;
    try {
      names = listEntries(bytes);
      const keys =
        spec.arrays ?? DEFAULT_KEYS.find((k) => names.includes(`${k.x}.npy`) && names.includes(`${k.y}.npy`));
      if (!keys)
        throw new DataError(
          `${file}: no arrays "x" and "y" (or "x_train" and "y_train"); it holds ${holds(names)}: name them with data.arrays: { x, y }`,
        );
      for (const k of [keys.x, keys.y])
        if (!names.includes(`${k}.npy`)) throw new DataError(`${file}: no array "${k}"; it holds ${holds(names)}`);
      const cap = currentPolicy().maxInputBytes;
      // The zip's directory declares each member's inflated size: refused before inflating, so a small bomb stays small.
      entries = unzipSync(bytes, {
        filter: (f) => {
          const wanted = f.name === `${keys.x}.npy` || f.name === `${keys.y}.npy`;
          if (wanted && f.originalSize > cap) {
            throw new DataError(
              `${file}: array "${f.name.replace(/\.npy$/, '')}" inflates to ${f.originalSize.toLocaleString('en-US')} bytes, over the ${cap.toLocaleString('en-US')}-byte input cap (limits.maxInputBytes)`,
            );
          }
          return wanted;
        },
      });
      const x = parseNpy(entries[`${keys.x}.npy`]!, `${file}:${keys.x}`);
      ctx.checkShape(x.shape.slice(1), `${file}:${keys.x}`, `array shape (${x.shape.join(', ')})`);
      if ((x.shape[0] ?? 0) > spec.maxRows)
        throw new DataError(
          `${file}: ${x.shape[0]} rows, more than data.maxRows (${spec.maxRows}); raise it to read the file`,
        );
      scalePixels(
        x.data,
        x.shape.slice(1),
        spec,
        ctx.inputLayout === 'channelsFirst' ? 'first' : 'last',
        `${file}:${keys.x}`,
      );
      const y = parseNpy(entries[`${keys.y}.npy`]!, `${file}:${keys.y}`);
      return arraysToDataset(
        x,
        y,
        { x: `${file}:${keys.x}`, y: `${file}:${keys.y}` },
        spec.task,
        spec.labelKind,
        `npz:${file}`,
      );
    } catch (e) {
      if (e instanceof UserInputError) throw e; // its own messages and the caps'
      throw new DataError(`${file}: not a readable .npz (zip) archive (${errorCode(e)})`);
    }
  },
});

/** fflate's error code, not its message: the message can carry a member's name. */
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? `zip error ${code}` : 'damaged';
}

/** The member names for a message: a count under a worker, where they are the file's bytes (see redact.ts). */
function holds(names: string[]): string {
  const list = names.map((n) => n.replace(/\.npy$/, '')).join(', ');
  return currentPolicy().redactContent ? `${names.length} arrays (names not shown)` : showInput(list);
}

/** Entry names from the zip's central directory, without inflating anything. */
function listEntries(bytes: Uint8Array): string[] {
  const names: string[] = [];
  unzipSync(bytes, {
    filter: (f) => {
      names.push(f.name);
      return false;
    },
  });
  return names;
}
