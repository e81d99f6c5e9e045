import path from 'node:path';
import { tf } from '../../tf.js';
import { ModelLoadError } from '../../../errors.js';
import type { LoadedModel } from './loaded-model.js';
import { readTrainingConfig, type KerasCompileConfig } from './training-config.js';
import { openInput } from '../../../policy/open-input.js';
import { confineShard } from '../../../policy/confined-path.js';
import { parseErrorText } from '../../../policy/redact.js';
import { DEFAULT_MAX_INPUT_BYTES } from '../../../policy/input-policy.js';
import { DEFAULT_CAPS, type Caps } from '../../../policy/limits.js';
import { checkManifestParams, checkTopology } from './topology-check.js';

/** Limits for http(s) loads (timeout, byte cap, redirects) are enforced in src/policy/safe-fetch.ts. */
export { HTTP_TIMEOUT_MS } from '../../../policy/open-input.js';
export const HTTP_MAX_BYTES = DEFAULT_MAX_INPUT_BYTES;

interface WeightsManifestEntry {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}
export interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: WeightsManifestEntry[];
  trainingConfig?: KerasCompileConfig;
}

/**
 * Loads a TensorFlow.js LayersModel (model.json + weight shards) from a path or an http(s) URL.
 * Shard paths must stay inside the model's folder; graph models are rejected with a clear reason.
 */
export async function loadTfjsLayersModel(location: string, caps: Caps = DEFAULT_CAPS): Promise<LoadedModel> {
  const isUrl = /^https?:\/\//i.test(location);
  // Every read goes through openInput: under a worker it enforces NNAUDIT_DATA_DIRS / NNAUDIT_ALLOWED_HOSTS.
  const json = parseModelJson(
    Buffer.from(await openInput(location, 'model file', { errorType: ModelLoadError })).toString('utf8'),
    location,
  );
  const origin = isUrl ? new URL(location).origin : undefined;
  checkIsLayersModel(json, location);
  // Before any shard is read or any weight allocated: the config's widths and graph, the manifest's parameter count.
  checkManifestParams(
    (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.weights) ? g.weights.map((w) => w.shape) : [])),
    location,
    caps,
  );
  checkTopology(json.modelTopology, location, caps);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const shard = resolveShard(location, p, isUrl);
      buffers.push(
        await openInput(isUrl ? shard : confineShard(location, shard), 'weight shard', {
          errorType: ModelLoadError,
          ...(origin ? { sameOrigin: origin } : {}),
        }),
      );
    }
  }
  checkShardBytes(specs, buffers, location);
  const weightData = concat(buffers).buffer as ArrayBuffer;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs: specs,
        weightData,
      }),
    );
  } catch (e) {
    throw new ModelLoadError(`${location}: TensorFlow.js could not build the model: ${(e as Error).message}`);
  }
  return { model, training: readTrainingConfig(json), source: location };
}

function parseModelJson(text: string, where: string): ModelJson {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // Under a worker the parser's message would quote the file's first bytes: give the position only.
    throw new ModelLoadError(`${where}: ${parseErrorText(e, 'JSON')}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ModelLoadError(`${where}: invalid JSON: top level is not an object`);
  return v as ModelJson;
}

function checkIsLayersModel(json: ModelJson, where: string): void {
  const topo = json.modelTopology as { node?: unknown; class_name?: unknown; model_config?: unknown } | undefined;
  if (json.format === 'graph-model' || (topo !== undefined && Array.isArray(topo.node))) {
    throw new ModelLoadError(
      `${where}: this is a TensorFlow.js graph model (a frozen inference graph, format "graph-model"), not a LayersModel. ` +
        'nnaudit needs layers and trainable weights: export the Keras model with tensorflowjs_converter --output_format tfjs_layers_model.',
    );
  }
  if (topo === undefined || (topo.class_name === undefined && topo.model_config === undefined)) {
    throw new ModelLoadError(
      `${where}: no "modelTopology" with a Keras model config: is this a TensorFlow.js model.json?`,
    );
  }
  if (json.weightsManifest !== undefined && !Array.isArray(json.weightsManifest)) {
    throw new ModelLoadError(`${where}: "weightsManifest" must be an array`);
  }
}

/** Resolves a shard path against model.json's folder and refuses one that escapes it. */
function resolveShard(modelLocation: string, shardPath: string, isUrl: boolean): string {
  if (isUrl) {
    const base = new URL('.', modelLocation);
    const url = new URL(shardPath, base);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
      throw new ModelLoadError(
        `${modelLocation}: weight shard "${shardPath}" points outside the model's folder (${base.href}); refusing to load it`,
      );
    }
    return url.href;
  }
  const dir = path.dirname(path.resolve(modelLocation));
  const full = path.resolve(dir, shardPath);
  const rel = path.relative(dir, full);
  if (path.isAbsolute(shardPath) || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ModelLoadError(
      `${modelLocation}: weight shard "${shardPath}" points outside the model's folder (${dir}); refusing to load it`,
    );
  }
  return full;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, complex64: 8 };

/** The shards must hold exactly the bytes the manifest declares: a longer shard is as wrong as a shorter one. */
function checkShardBytes(specs: tf.io.WeightsManifestEntry[], buffers: Uint8Array[], where: string): void {
  let expected = 0;
  for (const s of specs) {
    const q = s.quantization;
    const per = q?.dtype ? (DTYPE_BYTES[q.dtype] ?? 1) : (DTYPE_BYTES[s.dtype] ?? 4);
    expected += s.shape.reduce((a, b) => a * b, 1) * per;
  }
  const found = buffers.reduce((a, b) => a + b.byteLength, 0);
  if (found !== expected) {
    throw new ModelLoadError(
      `${where}: the weight shards hold ${found} bytes but weightsManifest declares ${expected}; ` +
        'the shards do not belong to this model.json (re-export the model)',
    );
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
