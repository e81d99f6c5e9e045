import { ModelLoadError } from '../../../errors.js';
import { quietHdf5 } from './quiet-hdf5.js';

/** The slice of h5wasm's API the loaders use (its own typings do not resolve under NodeNext for the /node entry). */
export interface H5Attr {
  value: unknown;
}
export interface H5Node {
  attrs: Record<string, H5Attr>;
  keys?(): string[];
}
export interface H5Dataset extends H5Node {
  shape: number[] | null;
  dtype: string;
  value: unknown;
}
export interface H5File extends H5Node {
  file_id: bigint | number;
  get(p: string): H5Node | H5Dataset | null;
  close(): void;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (filename: string, mode: 'r') => H5File;
}

let h5: Promise<H5Module> | null = null;

/** h5wasm (libhdf5 compiled to WebAssembly): reads HDF5 without Python or a native addon. Loaded on first use. */
function h5wasm(): Promise<H5Module> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    const mod = (m as unknown as { default: H5Module }).default;
    await mod.ready;
    return mod;
  });
  return h5;
}

/** Opens an HDF5 file read-only; `what` names the file in errors (e.g. "model.keras: model.weights.h5"). */
export async function openH5(file: string, what = file): Promise<H5File> {
  const mod = await h5wasm();
  let f: H5File;
  try {
    f = quietHdf5(() => new mod.File(file, 'r')); // libhdf5's C error stack must not reach the user
  } catch (e) {
    throw new ModelLoadError(`${what}: not a readable HDF5 file: ${(e as Error).message.split('\n')[0]}`);
  }
  // h5wasm does not throw when libhdf5 cannot open the file (truncated): it returns a negative id.
  if (Number(f.file_id) < 0)
    throw new ModelLoadError(
      `${what}: not a readable HDF5 file (truncated or damaged): libhdf5 could not read its superblock`,
    );
  return f;
}

export const attrText = (a: H5Attr | undefined): string | null =>
  a === undefined
    ? null
    : typeof a.value === 'string'
      ? a.value
      : Array.isArray(a.value)
        ? String(a.value[0])
        : String(a.value);
export const attrStrings = (a: H5Attr | undefined): string[] =>
  (a === undefined ? [] : Array.isArray(a.value) ? a.value.map(String) : [String(a.value)]).filter((s) => s.length > 0);

export const isGroup = (n: H5Node | null): n is H5Node & { keys(): string[] } =>
  n !== null && typeof n.keys === 'function';

/** A float dataset as float32 (Keras writes float32; float64 is narrowed as tfjs holds float32 only). */
export function floatValues(ds: H5Dataset, what: string): Float32Array {
  const v = ds.value;
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array) return Float32Array.from(v);
  throw new ModelLoadError(`${what} has dtype ${ds.dtype}; only float weights are supported`);
}
