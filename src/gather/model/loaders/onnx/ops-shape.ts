import { tf } from '../../../tf.js';
import { attrFloat, attrInt, attrInts, constSize, constValues, type ConstTensor, type OnnxNode } from './onnx-graph.js';
import { semanticShape, type BuildContext, type SymValue } from './onnx-values.js';

/**
 * Shape operators. On constants they are folded (torch's `x.view(x.size(0), -1)` exports Shape, Gather, Unsqueeze
 * and Concat around a Reshape: all of it folds to one constant target, with NaN for the batch size). On computed
 * tensors only static reshapes are supported, with the NCHW order kept wherever it shows.
 */

/** Constant: the value attribute (a tensor), or value_float(s) / value_int(s). */
export function constant(ctx: BuildContext, node: OnnxNode): void {
  const a = (n: string) => node.attrs.get(n);
  const t = a('value')?.t;
  const c: ConstTensor | null = t
    ? t
    : a('value_float')
      ? { dims: [], float: Float32Array.of(attrFloat(node, 'value_float', 0)) }
      : a('value_floats')
        ? { dims: [a('value_floats')!.floats!.length], float: Float32Array.from(a('value_floats')!.floats!) }
        : a('value_int')
          ? { dims: [], ints: [attrInt(node, 'value_int', 0)] }
          : a('value_ints')
            ? { dims: [attrInts(node, 'value_ints')!.length], ints: attrInts(node, 'value_ints')! }
            : null;
  if (!c) throw ctx.fail('a Constant without a numeric value');
  ctx.setOutput(0, { kind: 'const', c });
}

/** Identity (torch shares equal initializers through it), Cast between float types, and a computed Shape. */
export function passThrough(ctx: BuildContext, node: OnnxNode): void {
  ctx.setOutput(0, ctx.get(node.inputs[0]!));
}

export function shape(ctx: BuildContext, node: OnnxNode): void {
  const v = ctx.get(node.inputs[0]!);
  const dims = v.kind === 'const' ? v.c.dims : [Number.NaN, ...semanticShape(v)];
  const start = attrInt(node, 'start', 0);
  const end = node.attrs.has('end') ? attrInt(node, 'end', dims.length) : dims.length;
  const ints = dims.slice(start, end);
  ctx.setOutput(0, { kind: 'const', c: { dims: [ints.length], ints } });
}

/** Gather of constant indices from a constant (a dimension out of a Shape). */
export function gather(ctx: BuildContext, node: OnnxNode): void {
  const data = ctx.constant(node.inputs[0]);
  const idx = ctx.constant(node.inputs[1]);
  if (!data || !idx || data.dims.length !== 1 || attrInt(node, 'axis', 0) !== 0)
    throw ctx.fail('a Gather from a computed tensor (only shape arithmetic on constants is supported)');
  const v = constValues(data);
  const picked = constValues(idx).map((i) => v[i < 0 ? i + v.length : i]!);
  ctx.setOutput(0, {
    kind: 'const',
    c: data.ints ? { dims: idx.dims, ints: picked } : { dims: idx.dims, float: Float32Array.from(picked) },
  });
}

/** Axes as an attribute (before opset 13) or a constant input (13 on), made non-negative for `rank`. */
function axesOf(ctx: BuildContext, node: OnnxNode, rank: number): number[] | null {
  const c = ctx.constant(node.inputs[1]);
  const raw = c ? constValues(c) : (attrInts(node, 'axes') ?? null);
  return raw ? raw.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y) : null;
}

function reshapeTo(ctx: BuildContext, v: SymValue, target: number[]): SymValue {
  if (target.length === 3 && target[1] === 1 && target[2] === 1 && v.form === 'plain' && semanticShape(v).length === 1)
    return { ...v, form: 'pooled' };
  if (target.length === 1 && v.form === 'pooled') return { ...v, form: 'plain' };
  if (target.length === 1 && v.form === 'nhwc') {
    const [, h, w] = semanticShape(v);
    // Flattening [C, H, W] in PyTorch's order: channels-last would interleave them, so permute back first (not for 1x1).
    const x = h === 1 && w === 1 ? v : ctx.toPlain(v);
    return { kind: 'sym', t: ctx.apply(tf.layers.flatten({ name: ctx.layerName() }), x.t), form: 'plain' };
  }
  const x = ctx.toPlain(v);
  if (semanticShape(x).join() === target.join()) return x;
  return {
    kind: 'sym',
    t: ctx.apply(tf.layers.reshape({ targetShape: target, name: ctx.layerName() }), x.t),
    form: 'plain',
  };
}

export function unsqueeze(ctx: BuildContext, node: OnnxNode): void {
  const v = ctx.get(node.inputs[0]!);
  const before = v.kind === 'const' ? v.c.dims : [Number.NaN, ...semanticShape(v)];
  const axes = axesOf(ctx, node, before.length + 1);
  if (!axes) throw ctx.fail('Unsqueeze without axes');
  const dims = [...before];
  for (const a of axes) dims.splice(a, 0, 1);
  if (v.kind === 'const') return ctx.setOutput(0, { kind: 'const', c: { ...v.c, dims } });
  if (axes.includes(0)) throw ctx.fail('an Unsqueeze in front of the batch axis');
  ctx.setOutput(0, reshapeTo(ctx, v, dims.slice(1)));
}

export function squeeze(ctx: BuildContext, node: OnnxNode): void {
  const v = ctx.get(node.inputs[0]!);
  const before = v.kind === 'const' ? v.c.dims : [Number.NaN, ...semanticShape(v)];
  const axes = axesOf(ctx, node, before.length) ?? before.flatMap((d, i) => (d === 1 ? [i] : []));
  const dims = before.filter((_, i) => !axes.includes(i));
  if (v.kind === 'const') return ctx.setOutput(0, { kind: 'const', c: { ...v.c, dims } });
  if (axes.includes(0)) throw ctx.fail('a Squeeze of the batch axis');
  ctx.setOutput(0, reshapeTo(ctx, v, dims.slice(1)));
}

/** Reshape to a constant target whose first entry is the batch (the batch size, -1 or 0), or Flatten(axis=1). */
export function reshape(ctx: BuildContext, node: OnnxNode): void {
  const v = ctx.get(node.inputs[0]!);
  if (node.op === 'Flatten') {
    if (v.kind !== 'sym' || attrInt(node, 'axis', 1) !== 1)
      throw ctx.fail('a Flatten other than of a computed tensor at axis 1');
    return ctx.setOutput(0, reshapeTo(ctx, v, [semanticShape(v).reduce((a, b) => a * b, 1)]));
  }
  const t = ctx.constant(node.inputs[1]);
  if (!t) throw ctx.fail('a Reshape to a computed shape (export with a constant shape, or x.view(x.size(0), -1))');
  const target = constValues(t);
  if (v.kind === 'const') {
    const size = constSize(v.c);
    const known = target.reduce((a, b) => (b > 0 ? a * b : a), 1);
    return ctx.setOutput(0, {
      kind: 'const',
      c: { ...v.c, dims: target.map((d, i) => (d === 0 ? v.c.dims[i]! : d === -1 ? size / known : d)) },
    });
  }
  const first = target[0]!;
  if (!(Number.isNaN(first) || first === -1 || first === 0))
    throw ctx.fail(`a Reshape to [${target.join(', ')}], which fixes the batch size at ${first}`);
  const from = semanticShape(v);
  const rest = target.slice(1).map((d, i) => (d === 0 ? from[i]! : d));
  const total = from.reduce((a, b) => a * b, 1);
  const known = rest.reduce((a, b) => (b > 0 ? a * b : a), 1);
  ctx.setOutput(
    0,
    reshapeTo(
      ctx,
      v,
      rest.map((d) => (d === -1 ? total / known : d)),
    ),
  );
}

/** Transpose with the batch axis in place: NCHW -> NHWC of a map is just how the map is already held. */
export function transpose(ctx: BuildContext, node: OnnxNode): void {
  const v = ctx.sym(node.inputs[0]!);
  const rank = semanticShape(v).length + 1;
  const perm = attrInts(node, 'perm') ?? [...Array(rank).keys()].reverse();
  if (perm[0] !== 0) throw ctx.fail(`a Transpose that moves the batch axis (perm [${perm.join(', ')}])`);
  if (v.form === 'nhwc' && perm.join() === '0,2,3,1') return ctx.setOutput(0, { ...v, form: 'plain' });
  const x = ctx.toPlain(v);
  const layer = tf.layers.permute({ dims: perm.slice(1), name: ctx.layerName() });
  ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, x.t), form: 'plain' });
}
