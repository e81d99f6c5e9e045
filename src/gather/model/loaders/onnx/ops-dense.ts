import { tf } from '../../../tf.js';
import { attrFloat, attrInt, constSize, constValues, type ConstTensor, type OnnxNode } from './onnx-graph.js';
import { fusedActivation } from './ops-activation.js';
import { semanticShape, type BuildContext } from './onnx-values.js';

/** Row-major [rows, cols] -> [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

function floats(ctx: BuildContext, c: ConstTensor | null, what: string): Float32Array {
  if (!c?.float) throw ctx.fail(`needs ${what} as a float initializer (a constant weight)`);
  return c.float;
}

/** A bias of `units` values from a constant that broadcasts to [units] (scalar, [units] or [1, units]). */
function biasOf(ctx: BuildContext, c: ConstTensor, units: number, scale: number): Float32Array {
  const v = constValues(c);
  if (constSize(c) === 1) return new Float32Array(units).fill(v[0]! * scale);
  if (constSize(c) !== units)
    throw ctx.fail(`has a bias of shape [${c.dims.join(', ')}] that does not broadcast to ${units} units`);
  return Float32Array.from(v, (x) => x * scale);
}

/** A Dense layer with the given kernel ([inputs, units], row-major) and optional bias, fused with a following activation. */
function dense(
  ctx: BuildContext,
  node: OnnxNode,
  input: tf.SymbolicTensor,
  kernel: Float32Array,
  inputs: number,
  units: number,
  bias: Float32Array | null,
): void {
  const fused = fusedActivation(ctx, node, 2);
  const layer = tf.layers.dense({
    units,
    useBias: bias !== null,
    activation: fused?.activation ?? 'linear',
    name: ctx.layerName(),
  });
  const out = ctx.apply(layer, input);
  layer.setWeights(
    bias ? [tf.tensor2d(kernel, [inputs, units]), tf.tensor1d(bias)] : [tf.tensor2d(kernel, [inputs, units])],
  );
  ctx.setOutput(0, { kind: 'sym', t: out, form: 'plain' });
  if (fused) fused.finish(out, 'plain');
}

/** Gemm: Y = alpha * A' B' + beta * C, with A the data and B a weight: a Dense layer (torch.nn.Linear). */
export function gemm(ctx: BuildContext, node: OnnxNode, batchLastInputs: ReadonlySet<string>): void {
  const a = ctx.toPlain(ctx.sym(node.inputs[0]!));
  const transA = attrInt(node, 'transA', 0);
  // A [features, batch] graph input read through transA: its rows are the samples, which is how tfjs takes them.
  if (transA === 1 && !batchLastInputs.has(node.inputs[0]!))
    throw ctx.fail('transA=1 on a computed tensor (it would transpose the batch axis)');
  const b = ctx.constant(node.inputs[1]);
  if (!b || b.dims.length !== 2) throw ctx.fail('needs B as a 2-D weight initializer');
  const transB = attrInt(node, 'transB', 0);
  const [inputs, units] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  const features = semanticShape(a).at(-1);
  if (features !== inputs) throw ctx.fail(`multiplies ${features} features by a weight of ${inputs} inputs`);
  const alpha = attrFloat(node, 'alpha', 1);
  let kernel = transB ? transpose2d(floats(ctx, b, 'B'), units, inputs) : Float32Array.from(floats(ctx, b, 'B'));
  if (alpha !== 1) kernel = kernel.map((x) => x * alpha);
  const c = ctx.constant(node.inputs[2]);
  if (node.inputs[2] && !c) throw ctx.fail('adds a computed C; only a constant bias is supported');
  dense(ctx, node, a.t, kernel, inputs, units, c ? biasOf(ctx, c, units, attrFloat(node, 'beta', 1)) : null);
}

/** MatMul with a constant right-hand side (torch.matmul(x, W)), and the bias Add that follows it folded in. */
export function matmul(ctx: BuildContext, node: OnnxNode): void {
  const a = ctx.toPlain(ctx.sym(node.inputs[0]!));
  const b = ctx.constant(node.inputs[1]);
  if (!b || b.dims.length !== 2)
    throw ctx.fail('multiplies by a computed tensor; only a constant 2-D weight is supported');
  const [inputs, units] = [b.dims[0]!, b.dims[1]!];
  if (semanticShape(a).at(-1) !== inputs)
    throw ctx.fail(`multiplies ${semanticShape(a).at(-1)} features by a weight of ${inputs} rows`);
  const out = node.outputs[0]!;
  const add =
    ctx.readers.get(out) === 1
      ? ctx.graph.nodes.find((n) => n.op === 'Add' && n.inputs.includes(out) && !ctx.done.has(n.index))
      : undefined;
  const other = add?.inputs.find((i) => i !== out);
  const bias = other ? ctx.constant(other) : null;
  if (add && bias && (constSize(bias) === units || constSize(bias) === 1)) {
    ctx.done.add(add.index);
    dense(ctx, node, a.t, Float32Array.from(floats(ctx, b, 'B')), inputs, units, biasOf(ctx, bias, units, 1));
    ctx.values.set(add.outputs[0]!, ctx.get(out));
    return;
  }
  dense(ctx, node, a.t, Float32Array.from(floats(ctx, b, 'B')), inputs, units, null);
}
