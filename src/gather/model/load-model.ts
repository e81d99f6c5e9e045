import { open, stat } from 'node:fs/promises';
import { DEFAULT_CAPS, type Caps } from '../../policy/limits.js';
import path from 'node:path';
import { ModelLoadError } from '../../errors.js';
import type { LoadedModel } from './loaders/loaded-model.js';
import { loadTfjsLayersModel } from './loaders/tfjs-layers-json.js';
import { loadKerasH5 } from './loaders/keras-h5.js';
import { loadKeras3Archive } from './loaders/keras3-archive.js';
import { loadOnnxModel } from './loaders/onnx/load-onnx.js';

export type { LoadedModel } from './loaders/loaded-model.js';
export { HTTP_MAX_BYTES, HTTP_TIMEOUT_MS } from './loaders/tfjs-layers-json.js';
export { readTrainingConfig } from './loaders/training-config.js';

export type ModelFormat = 'tfjs-layers' | 'keras-h5' | 'keras3' | 'onnx';

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Loads a model in any format nnaudit reads, chosen by its first bytes (HDF5 or zip signature) or, for URLs and
 * unreadable files, by extension: a TensorFlow.js model.json (path or http(s) URL), a Keras .h5 (Keras 2 or 3;
 * `architecture` is the model.to_json() file for a weights-only .h5), a Keras 3 .keras archive, or an ONNX file
 * (a PyTorch torch.onnx.export). `caps` bounds what an untrusted file may allocate (checked before the weights are).
 *
 * @example
 *   const { model, training } = await loadLayersModel('models/churn.keras');
 */
export async function loadLayersModel(
  location: string,
  architecture?: string,
  caps: Caps = DEFAULT_CAPS,
): Promise<LoadedModel> {
  const isUrl = /^https?:\/\//i.test(location);
  const format = isUrl ? formatByExtension(location) : await detectFormat(location);
  if (format !== 'tfjs-layers' && isUrl) {
    const kind = format === 'keras3' ? 'Keras .keras' : format === 'onnx' ? 'ONNX' : 'Keras .h5';
    throw new ModelLoadError(`${location}: ${kind} files are read from a local path; download it first`);
  }
  switch (format) {
    case 'keras-h5':
      return loadKerasH5(location, architecture, caps);
    case 'keras3':
      return loadKeras3Archive(location, caps);
    case 'tfjs-layers':
      return loadTfjsLayersModel(location, caps);
    case 'onnx':
      return loadOnnxModel(location, caps);
  }
}

export function formatByExtension(p: string): ModelFormat {
  let name = p;
  if (/^https?:\/\//i.test(p)) {
    try {
      name = new URL(p).pathname;
    } catch {
      throw new ModelLoadError(`${p}: not a valid URL`);
    }
  }
  const ext = path.extname(name).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5') return 'keras-h5';
  if (ext === '.keras') return 'keras3';
  return ext === '.onnx' ? 'onnx' : 'tfjs-layers';
}

/** A Keras file renamed (model.bin, checkpoint.model) is still recognized by its signature. */
export async function detectFormat(file: string): Promise<ModelFormat> {
  let head: Uint8Array;
  try {
    // Only a regular file is sniffed: opening a FIFO would block, a device could stream forever.
    if (!(await stat(file)).isFile()) return formatByExtension(file);
    const fh = await open(file, 'r');
    try {
      const buf = new Uint8Array(8);
      const { bytesRead } = await fh.read(buf, 0, 8, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return formatByExtension(file); // the loader reports the missing or unreadable file in its own words
  }
  const starts = (magic: number[]) => magic.every((b, i) => head[i] === b);
  if (starts(HDF5_MAGIC)) return 'keras-h5';
  if (starts(ZIP_MAGIC)) return 'keras3';
  if (looksLikeOnnx(head)) return 'onnx';
  return formatByExtension(file);
}

/**
 * ONNX has no magic number. A ModelProto written by torch.onnx.export starts with ir_version (field 1, varint:
 * byte 0x08, a small version) then producer_name (field 2: 0x12) or another early field; a model.json starts
 * with '{' or whitespace. Only a renamed file needs this: `.onnx` is recognised by its extension.
 */
function looksLikeOnnx(head: Uint8Array): boolean {
  return (
    head.length >= 3 &&
    head[0] === 0x08 &&
    head[1]! > 0 &&
    head[1]! < 0x20 &&
    [0x12, 0x1a, 0x22, 0x2a, 0x3a, 0x42].includes(head[2]!)
  );
}
