import path from 'node:path';
import { gunzipSync } from 'fflate';
import { DataError } from '../../../errors.js';
import { arraysToDataset } from '../array-dataset.js';
import { readBytes } from './read-bytes.js';
import { defineSource } from './source.js';
import { scalePixels } from '../pixels.js';
import { currentPolicy } from '../../../policy/input-policy.js';
import { checkValueCount } from '../../../policy/limits.js';

/** IDX element types (http://yann.lecun.com/exdb/mnist/): code -> [bytes, reader]. Big-endian. */
const TYPES: Record<number, [number, (v: DataView, o: number) => number]> = {
  0x08: [1, (v, o) => v.getUint8(o)],
  0x09: [1, (v, o) => v.getInt8(o)],
  0x0b: [2, (v, o) => v.getInt16(o, false)],
  0x0c: [4, (v, o) => v.getInt32(o, false)],
  0x0d: [4, (v, o) => v.getFloat32(o, false)],
  0x0e: [8, (v, o) => v.getFloat64(o, false)],
};

/** The MNIST family's IDX files (images [n, h, w] and labels [n]), gzip-compressed or not. */
export default defineSource({
  key: 'idx',
  detect: (file, isDir) => !isDir && /idx\d-ubyte(\.gz)?$/i.test(file),
  async open(spec, ctx) {
    const imagesFile = path.resolve(ctx.baseDir, spec.idx.images);
    const labelsFile = path.resolve(ctx.baseDir, spec.idx.labels);
    const images = parseIdx(readBytes(imagesFile), imagesFile, (shape) => {
      ctx.checkShape(shape.slice(1), imagesFile, `array shape (${shape.join(', ')})`);
      if ((shape[0] ?? 0) > spec.maxRows)
        throw new DataError(
          `${imagesFile}: ${shape[0]} images, more than data.maxRows (${spec.maxRows}); raise it to read the file`,
        );
    });
    const labels = parseIdx(readBytes(labelsFile), labelsFile, () => undefined);
    // One channel: [n, h, w] fits a [h, w, 1] (Keras) or [1, h, w] (PyTorch) input as it is.
    scalePixels(
      images.data,
      images.shape.slice(1),
      spec,
      ctx.inputLayout === 'channelsFirst' ? 'first' : 'last',
      imagesFile,
    );
    return arraysToDataset(images, labels, { x: imagesFile, y: labelsFile }, spec.task, 'auto', `idx:${imagesFile}`);
  },
});

/** Decodes one IDX file; `onShape` sees the dimensions before the values are decoded. */
export function parseIdx(
  raw: Uint8Array,
  where: string,
  onShape: (shape: number[]) => void,
): { shape: number[]; data: Float32Array } {
  let bytes = raw;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    // gzip's trailer declares the inflated size (mod 2^32): checked before inflating, so a bomb stays small.
    const inflated =
      raw.length >= 18 ? new DataView(raw.buffer, raw.byteOffset + raw.length - 4, 4).getUint32(0, true) : 0;
    const cap = currentPolicy().maxInputBytes;
    if (inflated > cap)
      throw new DataError(
        `${where}: inflates to ${inflated.toLocaleString('en-US')} bytes, over the ${cap.toLocaleString('en-US')}-byte input cap (limits.maxInputBytes)`,
      );
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new DataError(`${where}: a corrupt gzip file (${(e as { code?: unknown }).code ?? 'damaged'})`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = TYPES[bytes[2] ?? -1];
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !type) {
    throw new DataError(
      `${where}: not an IDX file (expected magic 00 00 <type> <dims>, e.g. MNIST's train-images-idx3-ubyte)`,
    );
  }
  const dims = bytes[3]!;
  if (bytes.length < 4 + 4 * dims) throw new DataError(`${where}: truncated IDX header`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  onShape(shape);
  const [size, get] = type;
  const count = checkValueCount(shape, where, 'use a sample of the data');
  const start = 4 + 4 * dims;
  if (bytes.length < start + count * size)
    throw new DataError(
      `${where}: truncated: shape (${shape.join(', ')}) needs ${start + count * size} bytes, found ${bytes.length}`,
    );
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = get(view, start + i * size);
  return { shape, data };
}
