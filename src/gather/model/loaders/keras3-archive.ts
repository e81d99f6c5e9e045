import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DEFAULT_CAPS, type Caps } from '../../../policy/limits.js';
import { checkTopology } from './topology-check.js';
import { stat } from 'node:fs/promises';
import { openFileSync } from '../../../policy/open-input.js';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { tf } from '../../tf.js';
import { ModelLoadError } from '../../../errors.js';
import type { LoadedModel } from './loaded-model.js';
import { readCompileConfig, type KerasCompileConfig } from './training-config.js';
import { snakeCase, toTfjsTopology, type Json } from './keras3-config.js';
import { buildFailure } from './keras-h5.js';
import { floatValues, isGroup, openH5, type H5Dataset, type H5File } from './h5.js';

/** A .keras file is read whole into memory: refuse archives (or members) larger than this. */
export const KERAS_ARCHIVE_MAX_BYTES = 512 * 1024 * 1024;
const WEIGHTS = 'model.weights.h5';

type ConfigLayer = { class_name?: unknown; name?: unknown; config?: { name?: unknown; layers?: unknown } };

/**
 * Loads a Keras 3 `.keras` archive (what `model.save('m.keras')` writes since Keras 3 / TF 2.16): a zip of
 * config.json (the model, and its compile_config), metadata.json and model.weights.h5, whose groups are
 * `layers/<class name in snake case, numbered>/vars/<i>` in the order of the model's layers (nested for
 * Sequential/Functional sub-models), each layer's variables in its own order: trainable, then non-trainable.
 */
export async function loadKeras3Archive(file: string, caps: Caps = DEFAULT_CAPS): Promise<LoadedModel> {
  const bytes = await readArchive(file);
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > KERAS_ARCHIVE_MAX_BYTES)
          throw new ModelLoadError(
            `${file}: archive member ${f.name} unpacks to ${f.originalSize} bytes, over the ${KERAS_ARCHIVE_MAX_BYTES}-byte cap`,
          );
        return f.name === 'config.json' || f.name === 'metadata.json' || f.name === WEIGHTS;
      },
    });
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(`${file}: not a readable .keras (zip) archive: ${(e as Error).message}`);
  }
  const config = parseMember(members, 'config.json', file);
  if (config === undefined)
    throw new ModelLoadError(`${file}: the archive has no config.json: is it a Keras 3 .keras file?`);
  const metadata = parseMember(members, 'metadata.json', file);
  const version =
    metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)
      ? String(metadata['keras_version'] ?? '?')
      : '?';
  const weights = members[WEIGHTS];
  if (weights === undefined) {
    throw new ModelLoadError(
      `${file}: the archive has no ${WEIGHTS} (Keras ${version}); sharded or .npz weights are not supported: ` +
        "save the model again with model.save('model.keras')",
    );
  }
  checkTopology(config, `${file}: config.json`, caps); // before the model is built and its weights allocated
  const topology = toTfjsTopology(config, `${file}: config.json`);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  } catch (e) {
    throw buildFailure(file, version, e);
  }
  try {
    await withTempFile(weights, async (h5Path) => {
      const f = await openH5(h5Path, `${file}: ${WEIGHTS}`);
      try {
        // Keras 2.13-2.15 wrote the same layout under another name (saving_lib.py keeps a shim for it).
        const layersKey =
          isGroup(f.get('layers')) || !isGroup(f.get('_layer_checkpoint_dependencies'))
            ? 'layers'
            : '_layer_checkpoint_dependencies';
        assignWeights(model, (config as { config?: { layers?: unknown } }).config?.layers, f, '', file, layersKey);
      } finally {
        f.close();
      }
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const compile = (config as { compile_config?: unknown }).compile_config;
  const training =
    compile !== null && typeof compile === 'object' ? readCompileConfig(compile as KerasCompileConfig) : {};
  return { model, training, source: file };
}

async function readArchive(file: string): Promise<Uint8Array> {
  try {
    const { size } = await stat(file);
    if (size > KERAS_ARCHIVE_MAX_BYTES)
      throw new ModelLoadError(
        `${file}: ${size} bytes exceeds the ${KERAS_ARCHIVE_MAX_BYTES}-byte cap for .keras archives`,
      );
    return openFileSync(file, 'Keras model file', ModelLoadError); // the policy chokepoint (worker: NNAUDIT_DATA_DIRS)
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      code === 'ENOENT' ? `${file}: Keras model file not found` : `${file}: cannot read: ${(e as Error).message}`,
    );
  }
}

function parseMember(members: Record<string, Uint8Array>, name: string, file: string): Json | undefined {
  const bytes = members[name];
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Json;
  } catch (e) {
    throw new ModelLoadError(`${file}: ${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** h5wasm opens files by path (its Node build reads the real file system): the weights go to a private temp file. */
async function withTempFile(bytes: Uint8Array, fn: (p: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-keras-'));
  try {
    const p = path.join(dir, WEIGHTS);
    writeFileSync(p, bytes, { mode: 0o600 });
    await fn(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Walks the config's layers as Keras' saving_lib does (_save_container_state: a per-class counter gives
 * "dense", "dense_1", ...; Sequential.layers leaves out its InputLayer, which has no variables anyway) and
 * hands each tfjs layer its variables in file order.
 */
function assignWeights(
  container: tf.LayersModel,
  layers: unknown,
  f: H5File,
  base: string,
  file: string,
  layersKey: string,
): void {
  if (!Array.isArray(layers))
    throw new ModelLoadError(`${file}: config.json: model "${container.name}" has no "layers" list`);
  const used = new Map<string, number>();
  for (const entry of layers as ConfigLayer[]) {
    const className = String(entry.class_name);
    if (className === 'InputLayer') continue;
    let key = snakeCase(className);
    const n = used.get(key);
    used.set(key, n === undefined ? 0 : n + 1);
    if (n !== undefined) key = `${key}_${n + 1}`;
    const name = String(entry.config?.name ?? entry.name);
    const layer = container.getLayer(name);
    const groupPath = `${base}${layersKey}/${key}`;
    if (className === 'Sequential' || className === 'Functional' || className === 'Model') {
      assignWeights(layer as tf.LayersModel, entry.config?.layers, f, `${groupPath}/`, file, layersKey);
      continue;
    }
    // Recurrent layers (LSTM, GRU, SimpleRNN) keep their variables in their cell: `<layer>/cell/vars`.
    let values = readVars(f, groupPath, file);
    if (values.length === 0 && layer.weights.length > 0) values = readVars(f, `${groupPath}/cell`, file);
    const expected = layer.weights;
    if (values.length !== expected.length) {
      throw new ModelLoadError(
        `${file}: layer "${name}" (${className}) has ${expected.length} weights in TensorFlow.js but ` +
          `${values.length} in ${WEIGHTS} at ${groupPath}/vars: this layer type is saved differently and is not supported`,
      );
    }
    values.forEach((v, i) => {
      const want = expected[i]!.shape;
      if (want.length !== v.shape.length || want.some((d, j) => d !== v.shape[j])) {
        throw new ModelLoadError(
          `${file}: weight ${groupPath}/vars/${i} of layer "${name}" has shape [${v.shape.join(', ')}], ` +
            `the model expects [${want.join(', ')}]`,
        );
      }
    });
    const tensors = values.map((v) => tf.tensor(v.data, v.shape));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}

function readVars(f: H5File, groupPath: string, file: string): Array<{ data: Float32Array; shape: number[] }> {
  const group = f.get(`${groupPath}/vars`);
  if (!isGroup(group)) return [];
  // Variables are numbered "0", "1", ... "10": numeric order, not string order.
  const keys = group
    .keys()
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b));
  return keys.map((k) => {
    const ds = f.get(`${groupPath}/vars/${k}`) as H5Dataset | null;
    if (ds === null || ds.shape === null)
      throw new ModelLoadError(`${file}: weight ${groupPath}/vars/${k} is missing or empty`);
    return { data: floatValues(ds, `${file}: weight ${groupPath}/vars/${k}`), shape: ds.shape };
  });
}
