import { tf } from '../../../tf.js';
import { attrFloat, attrInt, constValues, type OnnxNode } from './onnx-graph.js';
import { OnnxUnary } from './onnx-layers.js';
import { actualAxis, semanticShape, type BuildContext, type Form, type SymValue } from './onnx-values.js';

/** Activations a Dense or Conv layer can apply itself, by ONNX op, as tfjs names them. */
const FUSABLE: Record<string, string> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Selu: 'selu',
  Softplus: 'softplus',
};

type TfActivation = 'relu' | 'sigmoid' | 'tanh' | 'selu' | 'softplus' | 'softmax' | 'elu' | 'linear';

/**
 * The activation node that alone reads `node`'s output, when the layer can apply it itself (as a Keras
 * Dense(activation='relu') does): one layer instead of two, so analyzers see the activation on the layer that owns
 * the weights, and one kernel call less per step.
 */
export function fusedActivation(
  ctx: BuildContext,
  node: OnnxNode,
  rank: number,
): { activation: TfActivation; finish(out: tf.SymbolicTensor, form: Form): void } | null {
  const out = node.outputs[0]!;
  if (ctx.readers.get(out) !== 1 || ctx.graph.outputs.includes(out)) return null;
  const next = ctx.graph.nodes.find((n) => n.index > node.index && n.inputs[0] === out);
  if (!next || ctx.done.has(next.index)) return null;
  let activation = FUSABLE[next.op] as TfActivation | undefined;
  if (next.op === 'Elu' && attrFloat(next, 'alpha', 1) === 1) activation = 'elu';
  if (next.op === 'Softmax' && rank === 2 && [-1, 1].includes(attrInt(next, 'axis', ctx.graph.opset >= 13 ? -1 : 1)))
    activation = 'softmax';
  if (!activation) return null;
  return {
    activation,
    finish: (t, form) => {
      ctx.done.add(next.index);
      ctx.values.set(next.outputs[0]!, { kind: 'sym', t, form });
    },
  };
}

/** Clip's bounds: attributes before opset 11, optional constant inputs from 11 on. */
function clipBounds(ctx: BuildContext, node: OnnxNode): [number, number] {
  if (ctx.graph.opset < 11) return [attrFloat(node, 'min', -3.4e38), attrFloat(node, 'max', 3.4e38)];
  const read = (i: number, fallback: number) => {
    if (!node.inputs[i]) return fallback;
    const c = ctx.constant(node.inputs[i]);
    if (!c)
      throw ctx.fail(`takes its ${i === 1 ? 'min' : 'max'} from a computed tensor; only constant bounds are supported`);
    return constValues(c)[0]!;
  };
  return [read(1, -3.4e38), read(2, 3.4e38)];
}

/** Softmax's axis: opset 13 takes one axis (default -1); earlier opsets flatten from `axis` (default 1) to 2-D. */
function softmaxAxis(ctx: BuildContext, node: OnnxNode, x: SymValue): number {
  const rank = semanticShape(x).length + 1;
  const axis = attrInt(node, 'axis', ctx.graph.opset >= 13 ? -1 : 1);
  const a = axis < 0 ? axis + rank : axis;
  if (ctx.graph.opset < 13 && a !== rank - 1)
    throw ctx.fail(
      `axis ${axis} at opset ${ctx.graph.opset} (a softmax over several axes) is not supported; export with opset 13 or later`,
    );
  return actualAxis(x, a);
}

export function activation(ctx: BuildContext, node: OnnxNode): void {
  const x = ctx.sym(node.inputs[0]!);
  const layer = (l: tf.layers.Layer) => ctx.setOutput(0, { kind: 'sym', t: ctx.apply(l, x.t), form: x.form });
  const name = ctx.layerName();
  switch (node.op) {
    case 'Relu':
      return layer(tf.layers.reLU({ name }));
    case 'Sigmoid':
    case 'Tanh':
    case 'Selu':
    case 'Softplus':
      return layer(tf.layers.activation({ activation: FUSABLE[node.op] as 'sigmoid', name }));
    case 'LeakyRelu':
      return layer(tf.layers.leakyReLU({ alpha: attrFloat(node, 'alpha', 0.01), name }));
    case 'Elu': {
      const alpha = attrFloat(node, 'alpha', 1);
      // tfjs' ELU layer takes only alpha 1.
      return layer(alpha === 1 ? tf.layers.elu({ name }) : new OnnxUnary({ fn: 'elu', alpha, name }));
    }
    case 'HardSigmoid':
      return layer(
        new OnnxUnary({
          fn: 'hardSigmoid',
          alpha: attrFloat(node, 'alpha', 0.2),
          beta: attrFloat(node, 'beta', 0.5),
          name,
        }),
      );
    case 'HardSwish':
      return layer(new OnnxUnary({ fn: 'hardSwish', name }));
    case 'Erf':
      return layer(new OnnxUnary({ fn: 'erf', name }));
    case 'Neg':
    case 'Sqrt':
    case 'Exp':
    case 'Abs':
      return layer(new OnnxUnary({ fn: node.op.toLowerCase() as 'neg', name }));
    case 'Clip': {
      const [min, max] = clipBounds(ctx, node);
      if (min === 0 && (max === 6 || max >= 3.4e38))
        return layer(tf.layers.reLU({ ...(max === 6 ? { maxValue: 6 } : {}), name }));
      return layer(new OnnxUnary({ fn: 'clip', min, max, name }));
    }
    case 'Softmax':
    case 'LogSoftmax': {
      const axis = softmaxAxis(ctx, node, x);
      const last = axis === x.t.shape.length - 1;
      if (node.op === 'Softmax' && last) return layer(tf.layers.softmax({ axis: -1, name }));
      return layer(new OnnxUnary({ fn: node.op === 'Softmax' ? 'softmax' : 'logSoftmax', axis, name }));
    }
  }
  throw ctx.fail('is not an activation'); // the dispatcher sends only ACTIVATION_OPS here
}

export const ACTIVATION_OPS = [
  'Relu',
  'Sigmoid',
  'Tanh',
  'Selu',
  'Softplus',
  'LeakyRelu',
  'Elu',
  'HardSigmoid',
  'HardSwish',
  'Erf',
  'Neg',
  'Sqrt',
  'Exp',
  'Abs',
  'Clip',
  'Softmax',
  'LogSoftmax',
];
