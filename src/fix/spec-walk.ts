/**
 * Reading and rewriting the layers of a model.train spec, for the repairs in spec-patches.ts: which layers are
 * hidden, which are ReLU, the output head, and copies of the spec with some layers replaced.
 */
import type { LayerSpec, Spec, TrainModelSpec } from '../config/spec-schema.js';

export type Dense = Extract<LayerSpec, { type: 'dense' }>;
export type Conv = Extract<LayerSpec, { type: 'conv2d' }>;
export type Weighted = Dense | Conv;

export const RELU = new Set(['relu', 'relu6']);
export const SQUASHING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
export const LARGE_OR_ODD_INIT = new Set(['randomNormal', 'randomUniform', 'truncatedNormal', 'constant', 'ones']);

export const isWeighted = (l: LayerSpec): l is Weighted => l.type === 'dense' || l.type === 'conv2d';
export const initName = (i: Weighted['kernelInitializer']) =>
  i === undefined ? undefined : typeof i === 'string' ? i : i.name;

export function train(spec: Spec): TrainModelSpec | null {
  return 'train' in spec.model ? spec.model.train : null;
}

export function withTrain(spec: Spec, t: TrainModelSpec): Spec {
  return { ...spec, model: { train: t } };
}

/** Index of the output layer: the last layer with weights (the head every model spec ends in). */
export function outputIndex(layers: LayerSpec[]): number {
  for (let i = layers.length - 1; i >= 0; i--) if (isWeighted(layers[i]!)) return i;
  return -1;
}

/** Applies `f` to every hidden weighted layer; null when no layer changed. */
export function mapHidden(spec: Spec, f: (l: Weighted) => LayerSpec[] | null): Spec | null {
  const t = train(spec);
  if (!t) return null;
  const out = outputIndex(t.layers);
  let changed = false;
  const layers = t.layers.flatMap((l, i) => {
    if (i === out || !isWeighted(l)) return [l];
    const next = f(l);
    if (next === null) return [l];
    changed = true;
    return next;
  });
  return changed ? withTrain(spec, { ...t, layers }) : null;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A hidden layer is ReLU when its own activation is, or when a relu Activation layer follows it. */
export function reluLayers(t: TrainModelSpec): Set<number> {
  const s = new Set<number>();
  t.layers.forEach((l, i) => {
    const next = t.layers[i + 1];
    if (
      isWeighted(l) &&
      (RELU.has(l.activation) ||
        (l.activation === 'linear' && next?.type === 'activation' && RELU.has(next.activation)))
    )
      s.add(i);
  });
  return s;
}

export function scaleLearningRate(factor: number): (spec: Spec) => Spec | null {
  return (spec) => {
    const t = train(spec);
    return t
      ? withTrain(spec, { ...t, optimizer: { ...t.optimizer, learningRate: t.optimizer.learningRate * factor } })
      : null;
  };
}

/** Groups hidden layers into blocks: a weighted layer and the non-weighted layers after it (activation, dropout, ...). */
export function hiddenBlocks(t: TrainModelSpec): { blocks: LayerSpec[][]; head: LayerSpec[] } | null {
  const out = outputIndex(t.layers);
  if (
    out < 0 ||
    t.layers.some(
      (l) =>
        l.type !== 'dense' &&
        l.type !== 'activation' &&
        l.type !== 'leakyRelu' &&
        l.type !== 'dropout' &&
        l.type !== 'batchNormalization',
    )
  )
    return null;
  const blocks: LayerSpec[][] = [];
  for (const l of t.layers.slice(0, out)) {
    if (isWeighted(l) || blocks.length === 0) blocks.push([l]);
    else blocks[blocks.length - 1]!.push(l);
  }
  return { blocks, head: t.layers.slice(out) };
}
