import { tf } from '../../../tf.js';
import { attrFloat, attrInt, attrInts, attrString, constValues, type OnnxNode } from './onnx-graph.js';
import { fusedActivation } from './ops-activation.js';
import { OnnxGroupConv, OnnxPool } from './onnx-layers.js';
import { semanticShape, type BuildContext, type SymValue } from './onnx-values.js';

type Pads = [number, number, number, number]; // top, bottom, left, right

/** TensorFlow's 'same' padding for one axis: the extra row, when the total is odd, goes at the end. */
function samePads(size: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX pads ([h_begin, w_begin, h_end, w_end]) or auto_pad, as [top, bottom, left, right]. */
function padsOf(
  ctx: BuildContext,
  node: OnnxNode,
  h: number,
  w: number,
  k: [number, number],
  s: [number, number],
  d: [number, number],
): Pads {
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const [t, b] = samePads(h, k[0], s[0], d[0]);
    const [l, r] = samePads(w, k[1], s[1], d[1]);
    return auto === 'SAME_UPPER' ? [t, b, l, r] : [b, t, r, l];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  const p = attrInts(node, 'pads') ?? [0, 0, 0, 0];
  if (p.length !== 4) throw ctx.fail(`pads of length ${p.length} (only 2-D convolutions and pools are supported)`);
  return [p[0]!, p[2]!, p[1]!, p[3]!];
}

/** 'valid', 'same' when the pads are exactly TensorFlow's, or null: pad explicitly first. */
function paddingMode(
  pads: Pads,
  h: number,
  w: number,
  k: [number, number],
  s: [number, number],
  d: [number, number],
): 'valid' | 'same' | null {
  if (pads.every((p) => p === 0)) return 'valid';
  const [t, b] = samePads(h, k[0], s[0], d[0]);
  const [l, r] = samePads(w, k[1], s[1], d[1]);
  return pads[0] === t && pads[1] === b && pads[2] === l && pads[3] === r ? 'same' : null;
}

const pair = (v: number[] | undefined, fallback: number): [number, number] => [v?.[0] ?? fallback, v?.[1] ?? fallback];

function zeroPad(ctx: BuildContext, x: SymValue, pads: Pads): SymValue {
  const layer = tf.layers.zeroPadding2d({
    padding: [
      [pads[0], pads[1]],
      [pads[2], pads[3]],
    ],
    name: ctx.layerName('pad'),
  });
  return { kind: 'sym', t: ctx.apply(layer, x.t), form: 'nhwc' };
}

/** Conv: conv2d, depthwise (groups = channels, torch's MobileNet blocks) or grouped; padding PyTorch's way. */
export function conv(ctx: BuildContext, node: OnnxNode): void {
  let x = ctx.toNhwc(ctx.sym(node.inputs[0]!));
  const w = ctx.constant(node.inputs[1]);
  if (!w?.float || w.dims.length !== 4)
    throw ctx.fail('needs its weight as a 4-D float initializer (only 2-D convolutions are supported)');
  const [cout, cinPerGroup, kh, kw] = w.dims as [number, number, number, number];
  const [cin, h, wd] = semanticShape(x) as [number, number, number];
  const groups = attrInt(node, 'group', 1);
  const k: [number, number] = [kh, kw];
  const s = pair(attrInts(node, 'strides'), 1);
  const d = pair(attrInts(node, 'dilations'), 1);
  if (cin !== cinPerGroup * groups)
    throw ctx.fail(`gets ${cin} channels where its weight expects ${cinPerGroup * groups}`);
  // tfjs has no gradient for dilated convolutions: those run as OnnxGroupConv, which spreads the kernel instead
  // (a depthwise one as `cin` groups: slower, but trainable).
  const dilated = d[0] > 1 || d[1] > 1;
  const pads = padsOf(ctx, node, h, wd, k, s, d);
  let padding = paddingMode(pads, h, wd, k, s, d);
  const grouped = dilated || (groups > 1 && groups !== cin);
  if (padding === null || (grouped && padding === 'same')) {
    x = zeroPad(ctx, x, pads); // the grouped layer pads nothing itself
    padding = 'valid';
  }
  const b = ctx.constant(node.inputs[2]);
  const bias = b?.float ? [tf.tensor1d(b.float)] : [];
  const fused = grouped ? null : fusedActivation(ctx, node, 4);
  const act = fused?.activation ?? 'linear';
  const name = ctx.layerName();
  let layer: tf.layers.Layer;
  let kernel: tf.Tensor;
  if (groups === 1 && !dilated) {
    layer = tf.layers.conv2d({
      filters: cout,
      kernelSize: k,
      strides: s,
      dilationRate: d,
      padding,
      useBias: !!b,
      activation: act,
      name,
    });
    kernel = tf.tidy(() => tf.transpose(tf.tensor4d(w.float!, [cout, cin, kh, kw]), [2, 3, 1, 0]));
  } else if (groups === cin && !dilated) {
    // ONNX [C*m, 1, kh, kw], output channel c*m + j  ->  tfjs depthwise [kh, kw, C, m].
    const m = cout / cin;
    layer = tf.layers.depthwiseConv2d({
      kernelSize: k,
      depthMultiplier: m,
      strides: s,
      dilationRate: d,
      padding,
      useBias: !!b,
      activation: act,
      name,
    });
    kernel = tf.tidy(() => tf.transpose(tf.tensor4d(w.float!, [cin, m, kh, kw]), [2, 3, 0, 1]));
  } else {
    layer = new OnnxGroupConv({ filters: cout, kernel: k, strides: s, dilations: d, groups, useBias: !!b, name });
    kernel = tf.tidy(() => tf.transpose(tf.tensor4d(w.float!, [cout, cinPerGroup, kh, kw]), [2, 3, 1, 0]));
  }
  const out = ctx.apply(layer, x.t);
  layer.setWeights([kernel, ...bias]);
  tf.dispose([kernel, ...bias]);
  ctx.setOutput(0, { kind: 'sym', t: out, form: 'nhwc' });
  if (fused) fused.finish(out, 'nhwc');
}

/** BatchNormalization, inference form or the training-mode export's (its running-statistics outputs unused). */
export function batchNorm(ctx: BuildContext, node: OnnxNode): void {
  let x = ctx.sym(node.inputs[0]!);
  const rank = semanticShape(x).length + 1;
  if (rank === 4) x = ctx.toNhwc(x);
  else if (rank !== 2) throw ctx.fail(`on a rank-${rank} tensor (BatchNorm1d over sequences) is not supported`);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constant(node.inputs[i])?.float);
  if (!gamma || !beta || !mean || !variance)
    throw ctx.fail('needs scale, bias, mean and variance as float initializers');
  const layer = tf.layers.batchNormalization({
    axis: -1,
    epsilon: attrFloat(node, 'epsilon', 1e-5),
    momentum: attrFloat(node, 'momentum', 0.9),
    name: ctx.layerName(),
  });
  const out = ctx.apply(layer, x.t);
  const weights = [gamma, beta, mean, variance].map((v) => tf.tensor1d(v));
  layer.setWeights(weights);
  tf.dispose(weights);
  ctx.setOutput(0, { kind: 'sym', t: out, form: x.form });
}

/** PRelu with a learned slope: one per channel ([C, 1, 1] on a map) or one in all. */
export function prelu(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.sym(node.inputs[0]!);
  const slope = ctx.constant(node.inputs[1]);
  if (!slope?.float) throw ctx.fail('needs its slope as a float initializer');
  const shape = x.t.shape.slice(1).map((v) => v ?? 1);
  const channels = x.form === 'nhwc' ? shape[2]! : shape[0]!;
  const perChannel = slope.float.length === channels && channels > 1;
  if (!perChannel && slope.float.length !== 1)
    throw ctx.fail(`has ${slope.float.length} slopes for ${channels} channels`);
  const channelAxis = x.form === 'nhwc' ? shape.length : 1;
  const shared = shape.map((_, i) => i + 1).filter((a) => !perChannel || a !== channelAxis);
  const layer = tf.layers.prelu({ sharedAxes: shared, name: ctx.layerName() });
  const out = ctx.apply(layer, x.t);
  const alphaShape = shape.map((dim, i) => (perChannel && i + 1 === channelAxis ? dim : 1));
  const alpha = tf.tensor(perChannel ? slope.float : new Float32Array(1).fill(slope.float[0]!), alphaShape);
  layer.setWeights([alpha]);
  alpha.dispose();
  ctx.setOutput(0, { kind: 'sym', t: out, form: x.form });
}

/** MaxPool / AveragePool with PyTorch's padding, ceil_mode and count_include_pad. */
export function pool(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.toNhwc(ctx.sym(node.inputs[0]!));
  const [, h, w] = semanticShape(x) as [number, number, number];
  const k = pair(attrInts(node, 'kernel_shape'), 1);
  const s = pair(attrInts(node, 'strides'), 1);
  if ((attrInts(node, 'dilations') ?? [1, 1]).some((v) => v !== 1)) throw ctx.fail('dilations other than 1');
  const pads = padsOf(ctx, node, h, w, k, s, [1, 1]);
  const overhang: [number, number] = attrInt(node, 'ceil_mode', 0)
    ? [ceilOverhang(h, k[0], s[0], pads[0], pads[1]), ceilOverhang(w, k[1], s[1], pads[2], pads[3])]
    : [0, 0];
  const max = node.op === 'MaxPool';
  const includePad = attrInt(node, 'count_include_pad', 0) === 1;
  const mode = paddingMode(pads, h, w, k, s, [1, 1]);
  const name = ctx.layerName();
  let layer: tf.layers.Layer;
  if (overhang[0] === 0 && overhang[1] === 0 && (mode === 'valid' || (mode === 'same' && (max || !includePad)))) {
    const config = { poolSize: k, strides: s, padding: mode, name };
    layer = max ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
  } else {
    layer = new OnnxPool({
      mode: max ? 'max' : 'avg',
      kernel: k,
      strides: s,
      pads,
      overhang,
      countIncludePad: includePad,
      name,
    });
  }
  ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, x.t), form: 'nhwc' });
}

/** ceil_mode's extra rows at the end: PyTorch rounds the output size up, but drops a last window that starts in the padding. */
function ceilOverhang(size: number, k: number, s: number, begin: number, end: number): number {
  const padded = size + begin + end;
  let out = Math.ceil((padded - k) / s) + 1;
  if ((out - 1) * s >= size + begin) out -= 1;
  return Math.max(0, (out - 1) * s + k - padded);
}

/** GlobalAveragePool / GlobalMaxPool: [N, C, H, W] -> [N, C, 1, 1], held as [N, C]. */
export function globalPool(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.toNhwc(ctx.sym(node.inputs[0]!));
  const name = ctx.layerName();
  const layer =
    node.op === 'GlobalAveragePool'
      ? tf.layers.globalAveragePooling2d({ name })
      : tf.layers.globalMaxPooling2d({ name });
  ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, x.t), form: 'pooled' });
}

/** Dropout: the ratio is an attribute before opset 12 and a constant input from 12 on; the mask output is unused. */
export function dropout(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.sym(node.inputs[0]!);
  const ratioInput = ctx.constant(node.inputs[1]);
  const rate = ratioInput ? constValues(ratioInput)[0]! : attrFloat(node, 'ratio', 0.5);
  const layer = tf.layers.dropout({ rate, name: ctx.layerName() });
  ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, x.t), form: x.form });
}

/** A constant zero Pad on the spatial axes of a map (torch's AvgPool2d with count_include_pad exports one). */
export function pad(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.toNhwc(ctx.sym(node.inputs[0]!));
  const mode = attrString(node, 'mode', 'constant');
  const p =
    ctx.graph.opset >= 11
      ? ctx.constant(node.inputs[1])
        ? constValues(ctx.constant(node.inputs[1])!)
        : null
      : (attrInts(node, 'pads') ?? null);
  const value =
    ctx.graph.opset >= 11
      ? ctx.constant(node.inputs[2])
        ? constValues(ctx.constant(node.inputs[2])!)[0]!
        : 0
      : attrFloat(node, 'value', 0);
  if (mode !== 'constant' || value !== 0 || !p || p.length !== 8 || p[0] || p[1] || p[4] || p[5]) {
    throw ctx.fail('anything but constant zero padding of the two spatial axes');
  }
  ctx.setOutput(0, zeroPad(ctx, x, [p[2]!, p[6]!, p[3]!, p[7]!]));
}
