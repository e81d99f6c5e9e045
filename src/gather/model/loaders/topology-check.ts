import { ModelLoadError, UserInputError } from '../../../errors.js';
import type { Caps } from '../../../policy/limits.js';
import { nestsDeeperThan } from '../../../util/json-depth.js';

/** Layers of a loaded model: deeper than any model nnaudit audits, and the cycle check below stays quick. */
const MAX_MODEL_LAYERS = 10_000;

/** Nesting of a model config: a Functional model inside a Sequential is ~10 levels; 100k would overflow tfjs. */
const MAX_TOPOLOGY_DEPTH = 200;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks a model's layer config before TensorFlow.js builds it (and allocates its weights): nesting depth,
 * layer widths against limits.maxUnits, a lower bound of the parameter count against limits.maxParams, and
 * that a Functional model's layers form no cycle (tfjs would never finish ordering them). Messages give
 * layer positions and counts, never names or other text from the file.
 */
export function checkTopology(topology: unknown, where: string, caps: Caps): void {
  if (nestsDeeperThan(topology, MAX_TOPOLOGY_DEPTH))
    throw new ModelLoadError(`${where}: the model config nests more than ${MAX_TOPOLOGY_DEPTH} levels deep`);
  const layers = layerConfigs(topology);
  if (layers.length > MAX_MODEL_LAYERS)
    throw new ModelLoadError(
      `${where}: the model config has ${layers.length.toLocaleString('en-US')} layers, over the cap of ${MAX_MODEL_LAYERS.toLocaleString('en-US')} layers of a loaded model`,
    );
  let width = inputWidth(topology);
  let params = 0;
  layers.forEach((l, i) => {
    const c = isObject(l['config']) ? l['config'] : {};
    const units =
      typeof c['units'] === 'number' ? c['units'] : typeof c['filters'] === 'number' ? c['filters'] : undefined;
    if (units !== undefined && units > caps.maxUnits) {
      throw new UserInputError(
        'limits',
        `${where}: layer ${i + 1} of ${layers.length} has ${units.toLocaleString('en-US')} units, over the cap of ${caps.maxUnits.toLocaleString('en-US')} (limits.maxUnits)`,
      );
    }
    if (units !== undefined) {
      const kernel = Array.isArray(c['kernel_size'])
        ? c['kernel_size'].reduce((a: number, b: unknown) => a * (typeof b === 'number' ? b : 1), 1)
        : typeof c['kernel_size'] === 'number'
          ? c['kernel_size'] ** 2
          : 1;
      params += kernel * width * units;
      width = units;
    }
  });
  if (params > caps.maxParams) {
    throw new UserInputError(
      'limits',
      `${where}: the model has at least ${params.toLocaleString('en-US')} parameters, over the cap of ${caps.maxParams.toLocaleString('en-US')} (limits.maxParams)`,
    );
  }
  checkAcyclic(topology, where);
}

/** The exact parameter count a weights manifest declares, checked before any shard is read. */
export function checkManifestParams(shapes: readonly unknown[], where: string, caps: Caps): void {
  let params = 0;
  for (const s of shapes)
    if (Array.isArray(s)) params += s.reduce((a: number, b: unknown) => a * (typeof b === 'number' ? b : 1), 1);
  if (params > caps.maxParams) {
    throw new UserInputError(
      'limits',
      `${where}: the model has ${params.toLocaleString('en-US')} parameters, over the cap of ${caps.maxParams.toLocaleString('en-US')} (limits.maxParams)`,
    );
  }
}

/** Every layer config (an object with class_name and config) anywhere in the topology, in document order. */
function layerConfigs(topology: unknown): Json[] {
  const out: Json[] = [];
  const stack: unknown[] = [topology];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    if (!isObject(v)) continue;
    // A layer has a named config; initializers, regularizers and Keras 3 tensor references do not.
    if (
      typeof v['class_name'] === 'string' &&
      isObject(v['config']) &&
      typeof v['config']['name'] === 'string' &&
      !Array.isArray(v['config']['layers'])
    )
      out.push(v);
    for (const child of Object.values(v).reverse()) stack.push(child);
  }
  return out;
}

/** The last dimension of the first declared input shape, for the parameter lower bound (1 when unknown). */
function inputWidth(topology: unknown): number {
  const stack: unknown[] = [topology];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (!isObject(v)) continue;
    for (const key of ['batch_input_shape', 'batch_shape']) {
      const s = v[key];
      if (Array.isArray(s) && typeof s[s.length - 1] === 'number') return s[s.length - 1] as number;
    }
    for (const child of Object.values(v)) stack.push(child);
  }
  return 1;
}

/** A Functional model's layers whose inbound nodes form a cycle: ordered with Kahn's algorithm, iteratively. */
function checkAcyclic(topology: unknown, where: string): void {
  const stack: unknown[] = [topology];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (!isObject(v)) continue;
    const layers = v['layers'];
    if (Array.isArray(layers) && layers.every((l) => isObject(l) && typeof l['name'] === 'string'))
      orderLayers(layers as Json[], where);
    for (const child of Object.values(v)) stack.push(child);
  }
}

function orderLayers(layers: Json[], where: string): void {
  const names = new Set(layers.map((l) => l['name'] as string));
  const inbound = new Map<string, Set<string>>();
  for (const l of layers)
    inbound.set(l['name'] as string, new Set(inboundNames(l['inbound_nodes']).filter((n) => names.has(n))));
  const ready = [...inbound].filter(([, from]) => from.size === 0).map(([n]) => n);
  let placed = 0;
  while (ready.length > 0) {
    const n = ready.pop()!;
    placed++;
    for (const [m, from] of inbound) if (from.delete(n) && from.size === 0) ready.push(m);
  }
  if (placed < inbound.size) {
    throw new ModelLoadError(
      `${where}: ${inbound.size - placed} of the model's ${inbound.size} layers feed each other in a cycle (their inbound_nodes); a model's graph must be acyclic`,
    );
  }
}

/** Layer names an inbound_nodes entry refers to: Keras 2's [name, node, tensor, ...] and Keras 3's keras_history. */
function inboundNames(nodes: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [nodes];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') out.push(v[0]);
      else for (const x of v) stack.push(x);
    } else if (isObject(v)) {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return out;
}
