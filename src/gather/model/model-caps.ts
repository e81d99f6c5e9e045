import type { LayerSpec } from '../../config/spec-schema.js';
import { UserInputError } from '../../errors.js';
import { checkParamCount, type Caps } from '../../policy/limits.js';

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
      const out = (n: number, k: number, st: number) =>
        l.padding === 'same' ? Math.ceil(n / st) : Math.max(1, Math.floor((n - k) / st) + 1);
      shape = [out(shape[0] ?? 1, kh, sh), out(shape[1] ?? 1, kw, sw), l.filters];
    } else if (l.type === 'maxPooling2d') {
      const [ph, pw] = pairOf(l.poolSize);
      const [sh, sw] = l.strides ? pairOf(l.strides) : [ph, pw];
      shape = [
        Math.max(1, Math.floor(((shape[0] ?? 1) - ph) / sh) + 1),
        Math.max(1, Math.floor(((shape[1] ?? 1) - pw) / sw) + 1),
        last,
      ];
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
      throw new UserInputError(
        'limits',
        `model.train.layers.${i}: ${width} ${l.type === 'dense' ? 'units' : 'filters'} is over the cap of ${caps.maxUnits} (limits.maxUnits)`,
      );
    }
  });
  checkParamCount(estimateParams(layers, inputShape), caps, 'model.train.layers');
}
