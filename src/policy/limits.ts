import type { LayerSpec, LimitsSpec } from '../config/spec-schema.js';
import { UserInputError } from '../errors.js';
import { currentPolicy, DEFAULT_MAX_INPUT_BYTES } from './input-policy.js';

export interface Caps { maxUnits: number; maxParams: number; maxRows: number; maxInputBytes: number }

/**
 * Defaults sized for what nnaudit audits (MLPs and small CNNs on tabular/image data) with room to spare:
 * 65,536 units is wider than any layer in the shared corpus by 30x; 50M parameters is ~200 MB of float32
 * weights plus the same again for Adam's moments, within a 2 GB worker; 5M rows of 100 floats is 2 GB.
 */
export const DEFAULT_CAPS: Caps = { maxUnits: 65_536, maxParams: 50_000_000, maxRows: 5_000_000, maxInputBytes: DEFAULT_MAX_INPUT_BYTES };

const lower = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));

/** The caps that apply: on the CLI the spec's own values replace the defaults; under a worker they can only lower them. */
export function effectiveCaps(spec: LimitsSpec | undefined): Caps {
  const worker = currentPolicy().origin === 'worker';
  const pick = (v: number | undefined, d: number) => (worker ? lower(v, d) : v ?? d);
  return {
    maxUnits: pick(spec?.maxUnits, DEFAULT_CAPS.maxUnits),
    maxParams: pick(spec?.maxParams, DEFAULT_CAPS.maxParams),
    maxRows: pick(spec?.maxRows, DEFAULT_CAPS.maxRows),
    maxInputBytes: pick(spec?.maxInputBytes, currentPolicy().maxInputBytes),
  };
}

const pairOf = (p: number | [number, number]): [number, number] => (typeof p === 'number' ? [p, p] : p);

/**
 * Estimates a built model's parameter count from its spec, before anything is allocated: `units: 1e9`
 * must fail in milliseconds, not after 6 GB. Layers it does not know keep the shape and add no parameters.
 */
export function estimateParams(layers: readonly LayerSpec[], inputShape: readonly number[]): number {
  let shape = [...inputShape];
  let params = 0;
  for (const l of layers) {
    const last = shape[shape.length - 1] ?? 1;
    if (l.type === 'dense') {
      params += last * l.units + (l.useBias ? l.units : 0);
      shape = [...shape.slice(0, -1), l.units];
    } else if (l.type === 'conv2d') {
      const [kh, kw] = pairOf(l.kernelSize);
      const [sh, sw] = pairOf(l.strides);
      params += kh * kw * last * l.filters + (l.useBias ? l.filters : 0);
      const out = (n: number, k: number, st: number) => (l.padding === 'same' ? Math.ceil(n / st) : Math.max(1, Math.floor((n - k) / st) + 1));
      shape = [out(shape[0] ?? 1, kh, sh), out(shape[1] ?? 1, kw, sw), l.filters];
    } else if (l.type === 'maxPooling2d') {
      const [ph, pw] = pairOf(l.poolSize);
      const [sh, sw] = l.strides ? pairOf(l.strides) : [ph, pw];
      shape = [Math.max(1, Math.floor(((shape[0] ?? 1) - ph) / sh) + 1), Math.max(1, Math.floor(((shape[1] ?? 1) - pw) / sw) + 1), last];
    } else if (l.type === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (l.type === 'batchNormalization') {
      params += 4 * last;
    }
  }
  return params;
}

/** Throws a cap error naming the layer and the cap, before the model is built. */
export function checkModelCaps(layers: readonly LayerSpec[], inputShape: readonly number[], caps: Caps): void {
  layers.forEach((l, i) => {
    const width = l.type === 'dense' ? l.units : l.type === 'conv2d' ? l.filters : 0;
    if (width > caps.maxUnits) {
      throw new UserInputError('limits', `model.train.layers.${i}: ${width} ${l.type === 'dense' ? 'units' : 'filters'} is over the cap of ${caps.maxUnits} (limits.maxUnits)`);
    }
  });
  checkParamCount(estimateParams(layers, inputShape), caps, 'model.train.layers');
}

export function checkParamCount(params: number, caps: Caps, where: string): void {
  if (params > caps.maxParams) {
    throw new UserInputError('limits', `${where}: the model has ${params.toLocaleString('en-US')} parameters, over the cap of ${caps.maxParams.toLocaleString('en-US')} (limits.maxParams)`);
  }
}

export function checkRowCount(rows: number, caps: Caps, source: string): void {
  if (rows > caps.maxRows) throw new UserInputError('limits', `${source}: ${rows} rows is over the cap of ${caps.maxRows} (limits.maxRows); use a sample of the data`);
}
