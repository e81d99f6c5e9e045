import { tf } from '../tf.js';
import type { GradientEpoch, LayerActivation, LayerGradient } from '../../artifacts/schema.js';
import { activationName, executableLayers, type ActivationFn, type GraphLayer } from '../model/model-graph.js';
import { jsonNumber } from './stats.js';
import { WEIGHT_GRADIENTS } from '../backend/wasm/data-input-conv.js';
import {
  summarizeGradientTensor,
  summarizeTensor,
  type GradientSummary,
  type TensorSummary,
} from './probe-summaries.js';

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** |z| at or beyond which sigmoid/tanh are saturated (derivative < 0.01); DeepDiagnosis and AUTOTRAINER use 5. */
export const SATURATION_Z = 5;

const LINEAR: ActivationFn = { apply: (x) => x, getClassName: () => 'linear' };
/** Activations applied after the layer's affine part; for them pre-activation z is recorded too. */
const STANDALONE_ACTIVATIONS = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU']);

export interface ProbeResult {
  gradients: GradientEpoch;
  activations: LayerActivation[] | null;
}

export interface ProbeOptions {
  /**
   * Run BatchNormalization layers on the probe batch's own statistics, as training does, instead of their moving
   * averages. Early in training the moving averages still sit near their initial 0 and 1, so in inference mode a
   * ReLU after batch norm can output 0 everywhere while training (which normalizes each batch) keeps it alive: it
   * looks dead but gets gradient. Fail-fast asks "can training still revive it?", so its probes use this; the
   * probes that enter the artifacts judge the model as it predicts (inference mode). The moving averages the layer
   * updates in training mode are restored afterwards: the probe leaves the model as it found it.
   */
  batchNormTraining?: boolean;
}

const isBatchNorm = (l: GraphLayer) => l.getClassName() === 'BatchNormalization';

/**
 * One forward and backward pass over the probe set, in inference mode (batch norm on batch statistics with
 * `options.batchNormTraining`), recording per layer:
 * the gradient of the mean loss w.r.t. kernel, bias and the layer's output, and (when `withActivations`)
 * activation and pre-activation statistics. The output gradient is taken through a zero tensor
 * added to each layer's output: d(loss)/d(eps) = d(loss)/d(output), with no change to the forward pass.
 * Every tensor it makes is disposed before it returns.
 */
export async function probeModel(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: LossFn,
  epoch: number,
  withActivations: boolean,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const layers = executableLayers(model);
  const bnTraining = options.batchNormTraining === true && layers.some(isBatchNorm);
  // Moving mean and variance, copied before a training-mode pass updates them, written back after it.
  const saved = bnTraining
    ? layers.filter(isBatchNorm).flatMap((l) => l.nonTrainableWeights.map((w) => ({ w, value: w.read().clone() })))
    : [];
  const batch = x.shape[0]!;
  // A layer's output gradient: where the output depends on a trainable weight, the backward pass reaches it, and an
  // identity with a custom gradient (a tap) records it; elsewhere (layers before any trainable one, frozen bases) a
  // zero variable added to the output is differentiated instead. Zeros for every layer cost a probe of a conv net
  // 65 MB of fills and adds.
  const weighted = weightedLayers(layers);
  const eps = new Map<string, tf.Variable>();
  const taps = new Map<string, OutputTap>();
  for (const l of layers) {
    const shape = l.outputShape as Array<number | null>;
    if (Array.isArray(shape[0])) continue; // multi-output layer: no output gradient
    if (weighted.has(l.name)) {
      taps.set(l.name, outputTap());
      continue;
    }
    eps.set(
      l.name,
      // tf.fill runs on the backend; tf.zeros builds the zeros in JavaScript and copies them in.
      tf.tidy(() => tf.variable(tf.fill([batch, ...shape.slice(1).map((d) => d ?? 1)], 0), true)),
    );
  }
  const kept: Array<{ layer: GraphLayer; z: tf.Tensor | null; a: tf.Tensor }> = [];
  const weightVars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = runForward(model, layers, x, { eps, taps }, bnTraining, (layer, z, a) => {
        if (withActivations) kept.push({ layer, z: z === null ? null : tf.keep(z), a: tf.keep(a) });
      });
      return loss(y, out).mean() as tf.Scalar;
    }, [...weightVars, ...eps.values()]);
    try {
      const outputGrads = new Map<string, tf.Tensor>();
      for (const [name, e] of eps) if (grads[e.name]) outputGrads.set(name, grads[e.name]!);
      for (const [name, t] of taps) if (t.dy) outputGrads.set(name, t.dy);
      const gradients = await summarizeGradients(layers, grads, outputGrads, value, epoch);
      const activations = withActivations ? await summarizeActivations(kept) : null;
      return { gradients, activations };
    } finally {
      value.dispose();
      tf.dispose(Object.values(grads));
    }
  } finally {
    for (const k of kept) tf.dispose([k.a, ...(k.z ? [k.z] : [])]);
    for (const v of eps.values()) v.dispose();
    for (const t of taps.values()) t.dy?.dispose();
    for (const s of saved) {
      s.w.write(s.value);
      s.value.dispose();
    }
  }
}

interface OutputTap {
  apply(a: tf.Tensor): tf.Tensor;
  /** The gradient of the loss w.r.t. the tapped output, kept after the backward pass (null until it ran). */
  dy: tf.Tensor | null;
}

/** An identity whose gradient function keeps the gradient it passes through (a clone: the engine disposes dy). */
function outputTap(): OutputTap {
  const tap: OutputTap = {
    dy: null,
    apply: tf.customGrad((...inputs) => ({
      value: (inputs[0] as tf.Tensor).clone(),
      gradFunc: (dy: tf.Tensor) => {
        tap.dy?.dispose();
        tap.dy = tf.keep(dy.clone());
        return [dy];
      },
    })) as (a: tf.Tensor) => tf.Tensor,
  };
  return tap;
}

/** Layers whose output depends on a trainable weight: theirs or one upstream (every possible inbound node). */
function weightedLayers(layers: GraphLayer[]): Set<string> {
  const weighted = new Set<string>();
  for (const l of layers)
    if (l.trainableWeights.length > 0 || l.inboundNodes.some((n) => n.inboundLayers.some((i) => weighted.has(i.name))))
      weighted.add(l.name);
  return weighted;
}

/** Executes the model layer by layer so each layer's pre-activation and output are reachable. */
function runForward(
  model: tf.LayersModel,
  layers: GraphLayer[],
  x: tf.Tensor,
  outputs: { eps: Map<string, tf.Variable>; taps: Map<string, OutputTap> },
  bnTraining: boolean,
  visit: (layer: GraphLayer, z: tf.Tensor | null, a: tf.Tensor) => void,
): tf.Tensor {
  const values = new Map<number, tf.Tensor>();
  // Each layer's output before its tap or zero eps, by the buffer of what follows it: a standalone activation's
  // pre-activation is that tensor, so the probe summarizes it once (same values: a tap is an identity, eps is 0).
  const untapped = new Map<object, tf.Tensor>();
  values.set((model.inputs[0] as unknown as { id: number }).id, x);
  for (const layer of layers) {
    // A nested model (a Sequential inside a Sequential) also has the node of its own construction: use the node
    // whose inputs this pass has computed.
    const node =
      layer.inboundNodes.find((n) => n.inputTensors.every((t) => values.has(t.id))) ?? layer.inboundNodes[0]!;
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (v === undefined) throw new Error(`layer ${layer.name}: input tensor ${t.id} was not computed`);
      return v;
    });
    const input = inputs.length === 1 ? inputs[0]! : inputs;
    let z: tf.Tensor | null = null;
    let a: tf.Tensor;
    const training = bnTraining && isBatchNorm(layer);
    const act = layer.activation;
    if (act && act.getClassName() !== 'linear' && act.getClassName() !== 'Linear') {
      layer.activation = LINEAR;
      try {
        z = layer.apply(input, { training, [WEIGHT_GRADIENTS]: true }) as tf.Tensor;
      } finally {
        layer.activation = act;
      }
      a = act.apply(z);
    } else {
      a = layer.apply(input, { training, [WEIGHT_GRADIENTS]: true }) as tf.Tensor;
      if (STANDALONE_ACTIVATIONS.has(layer.getClassName()) && !Array.isArray(input)) z = input;
    }
    // A standalone activation's pre-activation is its input (an `Activation` layer's linear call returns a clone of
    // it): the layer before's output, taken from before its tap or zero eps by buffer (after an eps it has its own).
    if (z !== null) z = untapped.get(z.dataId) ?? z;
    const e = outputs.eps.get(layer.name);
    const tap = outputs.taps.get(layer.name);
    const out = e ? tf.add(a, e) : tap ? tap.apply(a) : a;
    if (out !== a) untapped.set(out.dataId, a);
    visit(layer, z, a);
    values.set(node.outputTensors[0]!.id, out);
  }
  return values.get((model.outputs[0] as unknown as { id: number }).id)!;
}

async function summarizeGradients(
  layers: GraphLayer[],
  grads: tf.NamedTensorMap,
  outputGrads: Map<string, tf.Tensor>,
  value: tf.Scalar,
  epoch: number,
): Promise<GradientEpoch> {
  // Each gradient downloaded once and summarized in one pass (probe-summaries.ts): [norm, meanAbs, nonFinite].
  const order: Array<{ layer: string; kind: 'kernel' | 'bias' | 'output'; g: tf.Tensor }> = [];
  const add = (layer: string, kind: 'kernel' | 'bias' | 'output', g: tf.Tensor | undefined) => {
    if (g !== undefined) order.push({ layer, kind, g });
  };
  for (const layer of layers) {
    for (const w of layer.trainableWeights) {
      const kind = /bias/i.test(w.originalName)
        ? 'bias'
        : /kernel|weight|gamma|depthwise/i.test(w.originalName)
          ? 'kernel'
          : null;
      if (kind === null) continue;
      // Only the first kernel/bias per layer is summarized (a recurrent layer has more).
      if (order.some((o) => o.layer === layer.name && o.kind === kind)) continue;
      add(layer.name, kind, grads[(w.read() as tf.Variable).name]);
    }
    add(layer.name, 'output', outputGrads.get(layer.name));
  }
  const summaries: GradientSummary[] = [];
  for (const o of order) summaries.push(await summarizeGradientTensor(o.g));
  const lossValue = (await value.data())[0]!;
  const byLayer = new Map<string, LayerGradient>();
  for (const layer of layers) {
    byLayer.set(layer.name, {
      layer: layer.name,
      kernelNorm: null,
      kernelMeanAbs: null,
      biasNorm: null,
      biasMeanAbs: null,
      outputNorm: null,
      outputMeanAbs: null,
      nonFinite: 0,
    });
  }
  order.forEach((o, i) => {
    const g = byLayer.get(o.layer)!;
    const { norm, meanAbs, nonFinite } = summaries[i]!;
    g.nonFinite += nonFinite;
    if (o.kind === 'kernel') {
      g.kernelNorm = jsonNumber(norm);
      g.kernelMeanAbs = jsonNumber(meanAbs);
    }
    if (o.kind === 'bias') {
      g.biasNorm = jsonNumber(norm);
      g.biasMeanAbs = jsonNumber(meanAbs);
    }
    if (o.kind === 'output') {
      g.outputNorm = jsonNumber(norm);
      g.outputMeanAbs = jsonNumber(meanAbs);
    }
  });
  return { epoch, loss: jsonNumber(lossValue), layers: [...byLayer.values()] };
}

async function summarizeActivations(
  kept: Array<{ layer: GraphLayer; z: tf.Tensor | null; a: tf.Tensor }>,
): Promise<LayerActivation[]> {
  // Tensors that share a buffer hold the same values: each buffer is summarized once per unit count. A standalone
  // activation's pre-activation is the layer before's output (the probe sees it through that layer's tap, a tensor
  // that shares its buffer), and an inference-mode dropout returns its input. Keyed by tensor object, a conv net's
  // probe summarized those twice: a quarter of its activation summaries.
  const done = new Map<object, TensorSummary[]>();
  const summary = async (t: tf.Tensor, units: number): Promise<TensorSummary> => {
    const known = done.get(t.dataId) ?? [];
    const same = known.find((s) => s.unitStd.length === units);
    if (same) return same;
    const s = await summarizeTensor(t, units, SATURATION_Z);
    done.set(t.dataId, [...known, s]);
    return s;
  };
  const out: LayerActivation[] = [];
  for (const { layer, z, a } of kept) {
    const units = a.shape.length > 1 ? a.shape[a.shape.length - 1]! : 1;
    const post = await summary(a, units);
    const pre = z ? await summary(z, units) : null;
    out.push({
      layer: layer.name,
      activation: activationName(layer),
      stats: post.stats,
      histogram: post.histogram,
      preActivation: pre ? { stats: pre.stats, histogram: pre.histogram } : null,
      unitNonPositiveFraction: post.unitNonPositiveFraction,
      unitSaturatedFraction: pre ? pre.unitSaturatedFraction : null,
      unitStd: post.unitStd,
    });
  }
  return out;
}
