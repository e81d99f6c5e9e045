import { tf } from '../../../tf.js';
import { ModelLoadError } from '../../../../errors.js';
import { attrInt, nodeLabel, type OnnxGraph, type OnnxNode } from './onnx-graph.js';
import { ACTIVATION_OPS, activation } from './ops-activation.js';
import { batchNorm, conv, dropout, globalPool, pad, pool, prelu } from './ops-conv.js';
import { gemm, matmul } from './ops-dense.js';
import { arith, concat } from './ops-merge.js';
import { constant, gather, passThrough, reshape, shape, squeeze, transpose, unsqueeze } from './ops-shape.js';
import { BuildContext } from './onnx-values.js';

type Handler = (ctx: BuildContext, node: OnnxNode, batchLast: ReadonlySet<string>) => void;

const HANDLERS: Record<string, Handler> = {
  Gemm: gemm,
  MatMul: matmul,
  Conv: conv,
  BatchNormalization: batchNorm,
  PRelu: prelu,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  Pad: pad,
  Dropout: dropout,
  Add: arith,
  Sub: arith,
  Mul: arith,
  Div: arith,
  Concat: concat,
  Constant: constant,
  Identity: passThrough,
  Cast: passThrough,
  Shape: shape,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Reshape: reshape,
  Flatten: reshape,
  Transpose: transpose,
  ...Object.fromEntries(ACTIVATION_OPS.map((op) => [op, activation])),
};

/** Every operator the importer reads, for the message that names one it does not. */
export const SUPPORTED_OPS = Object.keys(HANDLERS).sort();

/**
 * Builds a trainable tfjs functional model computing what the ONNX graph computes, with its weights. The model's
 * input is the ONNX input without the batch axis, in its own layout ([C, H, W] for an image model); the output is
 * the graph's output, laid out as ONNX lays it out.
 */
export function buildOnnxModel(graph: OnnxGraph, modelName: string): tf.LayersModel {
  for (const node of graph.nodes) {
    if (!HANDLERS[node.op] || (node.domain && node.domain !== 'ai.onnx')) {
      throw new ModelLoadError(
        `${graph.file}: ONNX operator ${node.domain ? `${node.domain}.` : ''}${node.op} (${nodeLabel(node)}) is not supported; ` +
          `nnaudit reads ${SUPPORTED_OPS.join(', ')}`,
      );
    }
  }
  if (graph.inputs.length !== 1)
    throw new ModelLoadError(
      `${graph.file}: the graph has ${graph.inputs.length} inputs; nnaudit audits single-input models`,
    );
  if (graph.outputs.length !== 1)
    throw new ModelLoadError(
      `${graph.file}: the graph has ${graph.outputs.length} outputs; nnaudit audits single-output models`,
    );
  const ctx = new BuildContext(graph);
  const spec = graph.inputs[0]!;
  // A [features, batch] input read by Gemm(transA=1): its samples are its columns, so tfjs takes it as rows of features.
  const batchLast =
    spec.shape.length === 2 &&
    spec.shape[0] !== null &&
    spec.shape[1] === null &&
    graph.nodes.some((n) => n.op === 'Gemm' && n.inputs[0] === spec.name && attrInt(n, 'transA', 0) === 1);
  const perSample = batchLast ? [spec.shape[0]!] : spec.shape.slice(1);
  if (perSample.length === 0 || perSample.some((d) => d === null)) {
    throw new ModelLoadError(
      `${graph.file}: input '${spec.name}' has shape [${spec.shape.map((d) => d ?? '?').join(', ')}]: ` +
        'only the batch dimension may be dynamic (export with a fixed input size: dynamic_axes only for the batch)',
    );
  }
  const input = tf.input({ shape: perSample as number[], name: 'input' });
  ctx.values.set(spec.name, { kind: 'sym', t: input, form: 'plain' });
  const batchLastInputs = new Set(batchLast ? [spec.name] : []);
  for (const node of graph.nodes) {
    if (ctx.done.has(node.index)) continue;
    ctx.node = node;
    HANDLERS[node.op]!(ctx, node, batchLastInputs);
  }
  ctx.node = null;
  const out = ctx.values.get(graph.outputs[0]!);
  if (!out || out.kind !== 'sym')
    throw new ModelLoadError(`${graph.file}: the graph's output is not computed from its input`);
  const plain = ctx.toPlain(out);
  return tf.model({ inputs: input, outputs: plain.t, name: modelName });
}
