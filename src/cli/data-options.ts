import { SpecError } from '../errors.js';
import type { SourceKey } from '../gather/data/sources/source.js';

/** The data options a user can give with `--model --data` instead of writing a spec (strings as yargs reads them). */
export interface DataOptionFlags {
  classes?: string;
  rescale?: string;
  offset?: string;
  mean?: string;
  std?: string;
  size?: string;
  exclude?: string;
  features?: string;
  categorical?: string;
  normalize?: string;
  limit?: number;
}

/** The image-like sources, which take pixel scaling (rescale, offset, mean, std). */
const PIXELS: readonly SourceKey[] = ['images', 'idx', 'npy', 'npz'];
const PIXELS_WHAT = 'an image folder, IDX images or .npy/.npz arrays';

/** Which sources take each option: a flag that does not apply to the --data given is an error, never ignored. */
const APPLIES: Record<keyof DataOptionFlags, { key: string; sources: readonly SourceKey[] | 'all'; what: string }> = {
  classes: { key: 'classes', sources: ['images'], what: 'an image folder' },
  rescale: { key: 'rescale', sources: PIXELS, what: PIXELS_WHAT },
  offset: { key: 'offset', sources: PIXELS, what: PIXELS_WHAT },
  mean: { key: 'mean', sources: PIXELS, what: PIXELS_WHAT },
  std: { key: 'std', sources: PIXELS, what: PIXELS_WHAT },
  size: { key: 'size', sources: ['images'], what: 'an image folder' },
  exclude: { key: 'exclude', sources: ['csv', 'json'], what: 'a CSV or JSON records file' },
  features: { key: 'features', sources: ['csv', 'json'], what: 'a CSV or JSON records file' },
  categorical: { key: 'categorical', sources: ['csv', 'json'], what: 'a CSV or JSON records file' },
  normalize: { key: 'normalize', sources: 'all', what: 'any data' },
  limit: { key: 'limit', sources: 'all', what: 'any data' },
};

/** The data options' names, in the order --help groups them. */
export const DATA_OPTION_NAMES = Object.keys(APPLIES) as Array<keyof DataOptionFlags>;

/** A camelCase option as the command line spells it: validationSplit -> --validation-split. */
export const flagName = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const list = (s: string) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** "1/255", "0.00392" or "-1": a number, or a fraction as Keras code writes it (rescale=1./255). */
export function parseNumberFlag(flag: string, raw: string): number {
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*\/\s*([\d.]+(?:e-?\d+)?)\s*$/i.exec(raw);
  const v = m ? Number(m[1]) / Number(m[2]) : raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw new SpecError(`${flag} ${raw}: not a number; give e.g. ${flag} 1/255 or ${flag} 0.5`);
  return v;
}

/**
 * The spec `data` fields for the data option flags, for a source of kind `key` (from --data). Values are checked
 * again by the spec schema; this names the flag when one does not apply to the data given.
 */
export function dataOptionsFromFlags(key: SourceKey, f: DataOptionFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(APPLIES) as Array<keyof DataOptionFlags>) {
    const raw = f[name];
    if (raw === undefined) continue;
    const rule = APPLIES[name];
    if (rule.sources !== 'all' && !rule.sources.includes(key)) {
      throw new SpecError(
        `${flagName(name)} applies to ${rule.what}, and --data is ${key === 'idx' ? 'an IDX file' : key === 'images' ? 'an image folder' : `a ${key} file`}: drop it, or write a spec`,
      );
    }
    out[rule.key] = convert(name, raw);
  }
  return out;
}

function convert(name: keyof DataOptionFlags, raw: string | number): unknown {
  const flag = flagName(name);
  switch (name) {
    case 'rescale':
    case 'offset':
      return parseNumberFlag(flag, String(raw));
    case 'mean':
    case 'std': {
      // One value, or one per channel: torchvision's Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)).
      const values = list(String(raw)).map((v) => parseNumberFlag(flag, v));
      if (values.length === 0 || values.length > 4)
        throw new SpecError(
          `${flag} ${raw}: give one value or one per channel, e.g. ${flag} 0.2860 or ${flag} 0.485,0.456,0.406`,
        );
      return values.length === 1 ? values[0] : values;
    }
    case 'limit':
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1)
        throw new SpecError(`${flag}: give a whole number of rows, e.g. ${flag} 1000`);
      return raw;
    case 'size': {
      const dims = list(String(raw)).map(Number);
      if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1))
        throw new SpecError(`${flag} ${raw}: give height,width,channels, e.g. ${flag} 28,28,1`);
      return dims;
    }
    case 'categorical':
      // Gender:ordinal = scikit-learn's LabelEncoder codes; a bare name is one-hot encoded.
      return list(String(raw)).map((c) => {
        const [column, encode] = c.split(':');
        if (encode === undefined) return column;
        if (encode !== 'ordinal' && encode !== 'one-hot')
          throw new SpecError(
            `${flag} ${c}: the encoding after ":" is ordinal or one-hot, e.g. ${flag} Geography,Gender:ordinal`,
          );
        return { column, encode };
      });
    case 'classes':
    case 'exclude':
    case 'features':
      return list(String(raw));
    case 'normalize':
      return raw;
  }
}
