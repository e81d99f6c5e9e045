import path from 'node:path';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { SpecError } from '../errors.js';
import { detectSource } from '../gather/data/sources/index.js';
import type { SourceKey } from '../gather/data/sources/source.js';
import { dataOptionsFromFlags, type DataOptionFlags } from './data-options.js';

/**
 * The spec `data` section for `--data <path>` (and `--label`): the format is recognised by the path (a folder of
 * class folders, .csv, .json, .npy, .npz, IDX files), so a user needs no spec for the common cases.
 */
export function dataFromFlag(
  data: string,
  label: string | undefined,
  options: DataOptionFlags = {},
): Record<string, unknown> {
  const key = detectSource(data);
  const fields = sourceFields(key, data, label);
  return { ...fields, ...dataOptionsFromFlags(key ?? 'npy', options) }; // sourceFields threw unless it is a known format or .npy
}

function sourceFields(key: SourceKey | null, data: string, label: string | undefined): Record<string, unknown> {
  const labels = label?.includes(',') ? label.split(',').map((s) => s.trim()) : label;
  switch (key) {
    case 'csv':
      if (!labels)
        throw new SpecError(
          `--data ${data} is a CSV: say which column is the label with --label (several: --label a,b,c)`,
        );
      return { csv: data, label: labels };
    case 'json':
      return { json: data, ...(labels ? { label: labels } : {}) };
    case 'images':
      return { images: data };
    case 'npz':
      return { npz: data };
    case 'idx':
      return {
        idx: {
          images: data,
          labels: label ?? sibling(data, /images-idx3/, 'labels-idx1', '--label <labels-idx1-ubyte file>'),
        },
      };
    default:
      if (/\.npy$/i.test(data) && existsSync(data)) {
        return { npy: { x: data, y: label ?? sibling(data, /(^|[_-])x(?=\.npy$)/i, '$1y', '--label <y.npy>') } };
      }
      if (holdsImagesDirectly(data)) {
        throw new SpecError(
          `--data ${data}: a folder of images with no class subfolders; image data needs one subfolder per class ` +
            `(${path.join(data, '<class>', '*.png')}): if this folder is one class, give its parent folder`,
        );
      }
      throw new SpecError(
        `--data ${data}: ${existsSync(data) ? 'not a format nnaudit recognises' : 'no such file or folder'}; give a folder of class ` +
          'folders (images), a .csv, .json, .npy (x; y via --label), .npz, or an IDX images file (MNIST), or write a spec',
      );
  }
}

function holdsImagesDirectly(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).some((f) => /\.(png|jpe?g)$/i.test(f));
  } catch {
    return false;
  }
}

/** The companion file by naming convention (x.npy -> y.npy, *-images-idx3-ubyte -> *-labels-idx1-ubyte). */
function sibling(file: string, pattern: RegExp, replacement: string, flag: string): string {
  const base = path.basename(file);
  const other = base.replace(pattern, replacement);
  const candidate = path.join(path.dirname(file), other);
  if (other === base || !existsSync(candidate))
    throw new SpecError(`--data ${file}: cannot find its labels file (tried ${candidate}); give it with ${flag}`);
  return candidate;
}
