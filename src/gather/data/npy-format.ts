import { DataError } from '../../errors.js';
import { checkValueCount } from '../../policy/limits.js';

/** An .npy array as float32, C order. */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
  dtype: string;
}

export interface NpyHeader {
  shape: number[];
  dtype: string;
  littleEndian: boolean;
  itemSize: number;
  dataOffset: number;
}

const KINDS: Record<string, (v: DataView, o: number, le: boolean) => number> = {
  b1: (v, o) => v.getUint8(o),
  i1: (v, o) => v.getInt8(o),
  u1: (v, o) => v.getUint8(o),
  i2: (v, o, le) => v.getInt16(o, le),
  u2: (v, o, le) => v.getUint16(o, le),
  i4: (v, o, le) => v.getInt32(o, le),
  u4: (v, o, le) => v.getUint32(o, le),
  i8: (v, o, le) => Number(v.getBigInt64(o, le)),
  u8: (v, o, le) => Number(v.getBigUint64(o, le)),
  f2: (v, o, le) => half(v.getUint16(o, le)),
  f4: (v, o, le) => v.getFloat32(o, le),
  f8: (v, o, le) => v.getFloat64(o, le),
};

/**
 * Reads the header of NumPy's .npy format (versions 1-3): magic, version, header length, then a Python dict literal
 * with descr, fortran_order and shape. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export function readNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m))
    throw new DataError(`${where}: not a NumPy .npy file (no \\x93NUMPY magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major >= 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  // Messages describe the header, never quote it: under a worker they reach job status, and it is the file's bytes.
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new DataError(`${where}: unreadable .npy header (${headerLen} bytes without descr, fortran_order and shape)`);
  if (fortran === 'True') {
    throw new DataError(
      `${where}: the array is stored in Fortran (column-major) order; save it in C order: np.save(f, np.ascontiguousarray(a))`,
    );
  }
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (dims.some((d) => !/^\d{1,15}$/.test(d)))
    throw new DataError(
      `${where}: the .npy header's shape has ${dims.length} dimensions, not all of them whole numbers >= 0`,
    );
  const shape = dims.map(Number);
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const kind = m ? `${m[2]}${m[3]}` : '';
  if (!m || !(kind in KINDS)) {
    throw new DataError(
      `${where}: the array's dtype (${descr.length} characters) is not a supported one; use a number or bool dtype (float16/32/64, int8..64, uint8..64, bool): a.astype("float32")`,
    );
  }
  // '=' is native order; NumPy writes '<' on little-endian machines, which is every platform Node runs on.
  return { shape, dtype: descr, littleEndian: m[1] !== '>', itemSize: Number(m[3]), dataOffset: start + headerLen };
}

/** Decodes a whole .npy file to float32. */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  const h = readNpyHeader(bytes, where);
  const count = checkValueCount(h.shape, where, 'use a sample of the data (data.maxRows counts rows)');
  const need = h.dataOffset + count * h.itemSize;
  if (bytes.length < need)
    throw new DataError(
      `${where}: truncated: shape (${h.shape.join(', ')}) needs ${need} bytes, the file has ${bytes.length}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get = KINDS[h.dtype.slice(1)]!;
  const data = new Float32Array(count);
  for (let i = 0, o = h.dataOffset; i < count; i++, o += h.itemSize) data[i] = get(view, o, h.littleEndian);
  return { shape: h.shape, data, dtype: h.dtype };
}

/** IEEE 754 half precision -> number. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
