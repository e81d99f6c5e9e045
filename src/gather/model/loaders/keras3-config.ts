import { ModelLoadError } from '../../../errors.js';

/** Plain JSON, as config.json / model_config hold it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

// Keras 3 wraps every serialized object with these; tfjs-layers (which reads Keras 2 configs) knows none of them.
const WRAPPER_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);
const CONTAINERS = new Set(['Sequential', 'Functional', 'Model']);

/**
 * Rewrites a Keras 3 model config (config.json of a .keras archive, or model_config of a Keras 3 .h5) into the
 * Keras 2 dialect that tfjs-layers deserializes. Keras 2 configs pass through unchanged. The differences handled
 * (keras/src/saving/serialization_lib.py, models/functional.py, layers/core/input_layer.py):
 * - `module` / `registered_name` / `build_config` wrappers around every object;
 * - dtype as a `DTypePolicy` object instead of a string;
 * - `InputLayer` with `batch_shape` instead of `batch_input_shape`;
 * - Functional `inbound_nodes` as `{args, kwargs}` with `__keras_tensor__` references instead of
 *   `[[layer, node, tensor, kwargs]]`, and a single input/output written without the enclosing list;
 * - `__tuple__` wrappers, `L1`/`L2` regularizers (tfjs knows `L1L2`), the class name `Functional`.
 */
export function toTfjsTopology(config: Json, where: string): JsonObject {
  if (!isObject(config) || typeof config['class_name'] !== 'string') {
    throw new ModelLoadError(`${where}: the model config has no "class_name": is this a Keras model config?`);
  }
  if (!CONTAINERS.has(config['class_name'])) {
    throw new ModelLoadError(
      `${where}: the saved model is a "${config['class_name']}" (a subclassed Model, Python code): ` +
        'only Sequential and Functional models can be rebuilt outside Python; rebuild it as a Functional model and save again',
    );
  }
  return layerEntry(config, where);
}

type RefMap = (ref: Json[]) => Json[];
const same: RefMap = (r) => r;

function layerEntry(entry: JsonObject, where: string, refMap: RefMap = same): JsonObject {
  const className = String(entry['class_name']);
  const config = isObject(entry['config']) ? entry['config'] : {};
  const out: JsonObject = {};
  if (className === 'Sequential') {
    out['class_name'] = 'Sequential';
    out['config'] = sequentialConfig(config, where);
  } else if (className === 'Functional' || className === 'Model') {
    out['class_name'] = 'Model';
    out['config'] = functionalConfig(config, where);
  } else {
    out['class_name'] = className;
    out['config'] = className === 'InputLayer' ? inputLayerConfig(config) : layerConfig(className, config, where);
  }
  if (typeof entry['name'] === 'string') out['name'] = entry['name'];
  if (Array.isArray(entry['inbound_nodes']))
    out['inbound_nodes'] = entry['inbound_nodes'].map((n) => inboundNode(n, where, refMap));
  for (const k of ['keras_version', 'backend']) if (entry[k] !== undefined) out[k] = entry[k]!;
  return out;
}

function rawLayers(config: JsonObject, where: string): JsonObject[] {
  const layers = config['layers'];
  if (!Array.isArray(layers))
    throw new ModelLoadError(`${where}: model "${String(config['name'])}" has no "layers" list`);
  return layers.map((l) => {
    if (!isObject(l) || typeof l['class_name'] !== 'string')
      throw new ModelLoadError(`${where}: a layer entry has no "class_name"`);
    return l;
  });
}

function sequentialConfig(config: JsonObject, where: string): JsonObject {
  const layers = rawLayers(config, where).map((l) => layerEntry(l, where));
  // A Sequential built with build(shape) instead of an Input keeps the shape beside its layers.
  const first = layers[0];
  const built = config['build_input_shape'];
  if (
    first &&
    first['class_name'] !== 'InputLayer' &&
    Array.isArray(built) &&
    isObject(first['config']) &&
    first['config']['batch_input_shape'] === undefined
  ) {
    first['config']['batch_input_shape'] = built;
  }
  return { name: config['name'] ?? 'sequential', layers };
}

function functionalConfig(config: JsonObject, where: string): JsonObject {
  const raw = rawLayers(config, where);
  const keras3 = raw.some((l) => Array.isArray(l['inbound_nodes']) && l['inbound_nodes'].some(isObject));
  // A nested Sequential: in tfjs (as in Keras 2, where Sequential was a Functional) it owns node 0, the link from
  // its own input to its output, so its calls are numbered from 1. Keras 3's Sequential is not a Functional and
  // numbers its calls from 0 (functional.py get_config: kept_nodes = 1 only for Functional subclasses).
  const sequential = new Set(
    raw
      .filter((l) => l['class_name'] === 'Sequential')
      .map((l) => String(l['name'] ?? (isObject(l['config']) ? l['config']['name'] : ''))),
  );
  const refMap: RefMap = keras3 ? (r) => (sequential.has(String(r[0])) ? [r[0]!, Number(r[1]) + 1, r[2]!] : r) : same;
  return {
    name: config['name'] ?? 'model',
    layers: raw.map((l) => layerEntry(l, where, refMap)),
    input_layers: tensorRefs(config['input_layers'], where).map((r) => refMap(r as Json[])),
    output_layers: tensorRefs(config['output_layers'], where).map((r) => refMap(r as Json[])),
  };
}

/**
 * A layer's own config, plus the Keras 3 renames that would otherwise be ignored silently by tfjs and change
 * the model's output: LeakyReLU's `negative_slope` (tfjs: `alpha`), the `silu` activation (tfjs: `swish`), and
 * Keras 3's hard_sigmoid (relu6(x + 3) / 6, slope 1/6), which tfjs computes as Keras 2's (slope 0.2).
 */
function layerConfig(className: string, config: JsonObject, where: string): JsonObject {
  const out = value(config) as JsonObject;
  if (className === 'LeakyReLU' && typeof out['negative_slope'] === 'number') {
    out['alpha'] = out['negative_slope'];
    delete out['negative_slope'];
  }
  if (out['activation'] === 'silu') out['activation'] = 'swish';
  const keras3 = isObject(config['dtype']) && /DTypePolicy$/.test(String(config['dtype']['class_name']));
  if (keras3 && out['activation'] === 'hard_sigmoid') {
    throw new ModelLoadError(
      `${where}: layer "${String(config['name'])}" uses Keras 3's hard_sigmoid (relu6(x + 3) / 6), which TensorFlow.js ` +
        'computes differently (0.2x + 0.5): its predictions would not match; use sigmoid, or audit a model saved without it',
    );
  }
  return out;
}

function inputLayerConfig(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'batch_shape') out['batch_input_shape'] = value(v);
    else if (k !== 'optional' && k !== 'ragged' && !WRAPPER_KEYS.has(k)) out[k] = value(v);
  }
  return out;
}

const isRef = (v: Json): v is [string, number, number] =>
  Array.isArray(v) &&
  v.length === 3 &&
  typeof v[0] === 'string' &&
  typeof v[1] === 'number' &&
  typeof v[2] === 'number';

/** input_layers / output_layers: one reference, a list, or (Keras 3) a dict of them -> a flat list. */
function tensorRefs(v: Json | undefined, where: string): Json[] {
  if (v === undefined || v === null)
    throw new ModelLoadError(`${where}: a Functional model config lacks input_layers or output_layers`);
  if (isRef(v)) return [v];
  if (Array.isArray(v)) return v.flatMap((x) => tensorRefs(x, where));
  if (isObject(v)) return Object.values(v).flatMap((x) => tensorRefs(x, where));
  throw new ModelLoadError(`${where}: cannot read the model's input/output references`);
}

/** One call of a layer: Keras 2 `[[name, node, tensor, kwargs], ...]` stays; Keras 3 `{args, kwargs}` is rewritten. */
function inboundNode(node: Json, where: string, refMap: RefMap): Json {
  if (Array.isArray(node)) return node;
  if (!isObject(node))
    throw new ModelLoadError(`${where}: an inbound node is neither a list nor an {args, kwargs} object`);
  const refs: Json[] = [];
  collectTensors(node['args'] ?? [], refs);
  const kwargs: JsonObject = {};
  for (const [k, v] of Object.entries(isObject(node['kwargs']) ? node['kwargs'] : {})) {
    const inner: Json[] = [];
    collectTensors(v, inner);
    if (inner.length > 0)
      throw new ModelLoadError(
        `${where}: a layer is called with a tensor keyword argument "${k}", which TensorFlow.js cannot rebuild`,
      );
    // Plain call options (training=False on a frozen base model) mean the same in tfjs.
    if (v === null || typeof v !== 'object') kwargs[k] = v;
  }
  return refs.map((r) => [...refMap(r as Json[]), kwargs]);
}

function collectTensors(v: Json, into: Json[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, into);
    return;
  }
  if (!isObject(v)) return;
  if (v['class_name'] === '__keras_tensor__' && isObject(v['config']) && isRef(v['config']['keras_history'] ?? null)) {
    into.push(v['config']['keras_history']!);
    return;
  }
  if (v['class_name'] === '__tuple__' && isObject(v['config'])) {
    collectTensors(v['config']['value'] ?? [], into);
    return;
  }
  for (const x of Object.values(v)) collectTensors(x, into);
}

/** A layer's config value, unwrapped to the Keras 2 spelling. */
function value(v: Json): Json {
  if (Array.isArray(v)) return v.map(value);
  if (!isObject(v)) return v;
  const cls = v['class_name'];
  const cfg = v['config'];
  if (typeof cls === 'string' && cfg !== undefined) {
    if (cls === '__tuple__' && isObject(cfg)) return value(cfg['value'] ?? []);
    // tfjs holds float32 only; a mixed-precision policy computes in float16 but keeps float32 variables.
    if (/DTypePolicy$/.test(cls) && isObject(cfg))
      return typeof cfg['name'] === 'string' && /float/.test(cfg['name']) ? 'float32' : (cfg['name'] ?? 'float32');
    if (cls === 'function' && typeof cfg === 'string') return cfg; // a built-in activation serialized as an object
    if ((cls === 'L1' || cls === 'L2') && isObject(cfg)) {
      return {
        class_name: 'L1L2',
        config: { l1: cls === 'L1' ? (cfg['l1'] ?? 0.01) : 0, l2: cls === 'L2' ? (cfg['l2'] ?? 0.01) : 0 },
      };
    }
    return { class_name: cls, config: value(cfg) };
  }
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!WRAPPER_KEYS.has(k)) out[k] = value(x);
  return out;
}

/** Keras 3 names a sub-object's weight group by its class in snake case (keras/src/utils/naming.py to_snake_case). */
export function snakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
