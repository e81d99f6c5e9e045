import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tf } from '../tf.js';
import { ModelLoadError } from '../../errors.js';
import type { LoadedModel } from './loaded-model.js';
import { readTrainingConfig, type KerasCompileConfig } from './training-config.js';

/** Limits for http(s) loads: a stuck or huge server must not hang or exhaust a worker. */
export const HTTP_TIMEOUT_MS = 30_000;
export const HTTP_MAX_BYTES = 512 * 1024 * 1024;

interface WeightsManifestEntry { paths: string[]; weights: tf.io.WeightsManifestEntry[] }
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
export async function loadTfjsLayersModel(location: string): Promise<LoadedModel> {
  const isUrl = /^https?:\/\//i.test(location);
  const fetchText = isUrl ? fetchBytes : readLocal;
  const json = parseModelJson(Buffer.from(await fetchText(location)).toString('utf8'), location);
  checkIsLayersModel(json, location);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const shard = resolveShard(location, p, isUrl);
      buffers.push(await fetchText(shard));
    }
  }
  const weightData = concat(buffers).buffer as ArrayBuffer;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData }));
  } catch (e) {
    throw new ModelLoadError(`${location}: TensorFlow.js could not build the model: ${(e as Error).message}`);
  }
  return { model, training: readTrainingConfig(json), source: location };
}

function parseModelJson(text: string, where: string): ModelJson {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('top level is not an object');
    return v as ModelJson;
  } catch (e) {
    throw new ModelLoadError(`${where}: invalid JSON: ${(e as Error).message}`);
  }
}

function checkIsLayersModel(json: ModelJson, where: string): void {
  const topo = json.modelTopology as { node?: unknown; class_name?: unknown; model_config?: unknown } | undefined;
  if (json.format === 'graph-model' || (topo !== undefined && Array.isArray(topo.node))) {
    throw new ModelLoadError(
      `${where}: this is a TensorFlow.js graph model (a frozen inference graph, format "graph-model"), not a LayersModel. ` +
      'nnaudit needs layers and trainable weights: export the Keras model with tensorflowjs_converter --output_format tfjs_layers_model.');
  }
  if (topo === undefined || (topo.class_name === undefined && topo.model_config === undefined)) {
    throw new ModelLoadError(`${where}: no "modelTopology" with a Keras model config: is this a TensorFlow.js model.json?`);
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
      throw new ModelLoadError(`${modelLocation}: weight shard "${shardPath}" points outside the model's folder (${base.href}); refusing to load it`);
    }
    return url.href;
  }
  const dir = path.dirname(path.resolve(modelLocation));
  const full = path.resolve(dir, shardPath);
  const rel = path.relative(dir, full);
  if (path.isAbsolute(shardPath) || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ModelLoadError(`${modelLocation}: weight shard "${shardPath}" points outside the model's folder (${dir}); refusing to load it`);
  }
  return full;
}

async function readLocal(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = file.endsWith('.json') ? 'model file' : 'weight shard';
    throw new ModelLoadError(code === 'ENOENT' ? `${file}: ${what} not found` : `${file}: cannot read ${what}: ${(e as Error).message}`);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    throw new ModelLoadError(`${url}: request failed: ${(e as Error).message} (timeout ${HTTP_TIMEOUT_MS / 1000} s)`);
  }
  if (!res.ok) throw new ModelLoadError(`${url}: HTTP ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > HTTP_MAX_BYTES) throw new ModelLoadError(`${url}: ${declared} bytes exceeds the ${HTTP_MAX_BYTES}-byte cap`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body === null) return new Uint8Array();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > HTTP_MAX_BYTES) throw new ModelLoadError(`${url}: response exceeds the ${HTTP_MAX_BYTES}-byte cap`);
    chunks.push(chunk);
  }
  return concat(chunks);
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
