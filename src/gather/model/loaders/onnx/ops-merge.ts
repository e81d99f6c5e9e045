import { tf } from '../../../tf.js';
import { attrInt, constValues, type ConstTensor, type OnnxNode } from './onnx-graph.js';
import { OnnxConstOp, type AffineOp } from './onnx-layers.js';
import { actualAxis, semanticShape, type BuildContext, type SymValue, type Value } from './onnx-values.js';

type Arith = 'Add' | 'Sub' | 'Mul' | 'Div';

/** Numpy broadcasting of two constants (shape arithmetic: sizes, -1s, the batch marker NaN). */
export function foldArith(op: Arith, a: ConstTensor, b: ConstTensor): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...Array(rank - d.length).fill(1), ...d] as number[];
  const [da, db] = [pad(a.dims), pad(b.dims)];
  const dims = da.map((x, i) => Math.max(x, db[i]!));
  const count = dims.reduce((p, q) => p * q, 1);
  const [va, vb] = [constValues(a), constValues(b)];
  const index = (d: number[], flat: number) => {
    let rest = flat;
    let at = 0;
    let stride = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const coord = rest % dims[i]!;
      rest = Math.floor(rest / dims[i]!);
      at += (d[i] === 1 ? 0 : coord) * stride;
      stride *= d[i]!;
    }
    return at;
  };
  const f = {
    Add: (x: number, y: number) => x + y,
    Sub: (x: number, y: number) => x - y,
    Mul: (x: number, y: number) => x * y,
    Div: (x: number, y: number) => x / y,
  }[op];
  const out = Array.from({ length: count }, (_, k) => f(va[index(da, k)]!, vb[index(db, k)]!));
  const ints = a.ints !== undefined && b.ints !== undefined;
  return ints
    ? { dims, ints: out.map((v) => (op === 'Div' ? Math.trunc(v) : v)) }
    : { dims, float: Float32Array.from(out) };
}

/**
 * A constant operand laid out like the tensor it meets: right-aligned to the value's ONNX rank, then permuted to
 * channels-last for a map ([1, C, 1, 1] -> [1, 1, 1, C]), or squeezed to [.., C] for a pooled [N, C, 1, 1].
 */
function constFor(ctx: BuildContext, v: SymValue, c: ConstTensor): { shape: number[]; values: number[] } {
  const rank = semanticShape(v).length + 1;
  if (c.dims.length > rank) throw ctx.fail(`broadcasts a constant of rank ${c.dims.length} onto a rank-${rank} tensor`);
  const values = constValues(c);
  const dims = [...Array(rank - c.dims.length).fill(1), ...c.dims] as number[];
  if (v.form === 'plain' || dims.length !== 4) return { shape: dims, values };
  if (v.form === 'pooled') {
    if (dims[2] !== 1 || dims[3] !== 1)
      throw ctx.fail('broadcasts a spatial constant onto a pooled [N, C, 1, 1] tensor');
    return { shape: [dims[0]!, dims[1]!], values };
  }
  const [n, ch, h, w] = dims as [number, number, number, number];
  const out = new Array<number>(values.length);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < ch; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          out[((a * h + y) * w + x) * ch + b] = values[((a * ch + b) * h + y) * w + x]!;
        }
  return { shape: [n, h, w, ch], values: out };
}

/** Two computed tensors in one layout: a map wins (a pooled or NCHW operand is brought to channels-last). */
function aligned(ctx: BuildContext, vs: SymValue[]): SymValue[] {
  if (vs.some((v) => v.form === 'nhwc')) return vs.map((v) => ctx.toNhwc(v));
  if (vs.some((v) => v.form === 'pooled') && vs.some((v) => v.form === 'plain')) return vs.map((v) => ctx.toPlain(v));
  return vs;
}

/** Add / Sub / Mul / Div: of two branches (residual adds, squeeze-excitation), with a constant, or of constants. */
export function arith(ctx: BuildContext, node: OnnxNode): void {
  const op = node.op as Arith;
  const [a, b] = [ctx.get(node.inputs[0]!), ctx.get(node.inputs[1]!)];
  if (a.kind === 'const' && b.kind === 'const') return ctx.setOutput(0, { kind: 'const', c: foldArith(op, a.c, b.c) });
  if (a.kind === 'sym' && b.kind === 'sym') {
    if (op === 'Sub' || op === 'Div') throw ctx.fail(`${op} of two computed tensors`);
    const [x, y] = aligned(ctx, [a, b]) as [SymValue, SymValue];
    const name = ctx.layerName();
    const layer = op === 'Add' ? tf.layers.add({ name }) : tf.layers.multiply({ name });
    return ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, [x.t, y.t]), form: x.form });
  }
  const x = (a.kind === 'sym' ? a : b) as SymValue;
  const c = a.kind === 'const' ? a.c : (b as Extract<Value, { kind: 'const' }>).c;
  const constFirst = a.kind === 'const';
  const affine: AffineOp =
    op === 'Add'
      ? 'add'
      : op === 'Mul'
        ? 'mul'
        : op === 'Sub'
          ? constFirst
            ? 'rsub'
            : 'sub'
          : constFirst
            ? 'rdiv'
            : 'div';
  const { shape, values } = constFor(ctx, x, c);
  const layer = new OnnxConstOp({ op: affine, shape, values, name: ctx.layerName() });
  ctx.setOutput(0, { kind: 'sym', t: ctx.apply(layer, x.t), form: x.form });
}

/** Concat of branches (Inception-style, channel axis) or of constants (a shape assembled for Reshape). */
export function concat(ctx: BuildContext, node: OnnxNode): void {
  const values = node.inputs.map((i) => ctx.get(i));
  const axis = attrInt(node, 'axis', 1);
  if (values.every((v) => v.kind === 'const')) {
    const cs = values.map((v) => (v as Extract<Value, { kind: 'const' }>).c);
    if (cs.some((c) => c.dims.length !== 1)) throw ctx.fail('concatenates constants of rank > 1');
    const all = cs.flatMap(constValues);
    return ctx.setOutput(
      0,
      cs.every((c) => c.ints)
        ? { kind: 'const', c: { dims: [all.length], ints: all } }
        : { kind: 'const', c: { dims: [all.length], float: Float32Array.from(all) } },
    );
  }
  if (values.some((v) => v.kind !== 'sym')) throw ctx.fail('concatenates computed tensors with constants');
  const xs = aligned(ctx, values as SymValue[]);
  if (axis === 0) throw ctx.fail('concatenation along the batch axis');
  const layer = tf.layers.concatenate({ axis: actualAxis(xs[0]!, axis), name: ctx.layerName() });
  ctx.setOutput(0, {
    kind: 'sym',
    t: ctx.apply(
      layer,
      xs.map((x) => x.t),
    ),
    form: xs[0]!.form,
  });
}
