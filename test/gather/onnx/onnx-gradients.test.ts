import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/gather/backend/backend.js';
import { loadLayersModel } from '../../../src/gather/model/load-model.js';
import { tf } from '../../../src/gather/tf.js';
import { ONNX_DIR, onnxCases } from './fixtures.js';

/** A torch parameter name (`layer1.0.bn1.weight`) as the imported layer's weight (`layer1.0.bn1/gamma`). */
function tfjsWeight(torchName: string, classOf: (layer: string) => string | undefined): string {
  const dot = torchName.lastIndexOf('.');
  const layer = torchName.slice(0, dot);
  const param = torchName.slice(dot + 1);
  const bn = classOf(layer) === 'BatchNormalization';
  const kind =
    param === 'weight'
      ? bn
        ? 'gamma'
        : classOf(layer) === 'DepthwiseConv2D'
          ? 'depthwise_kernel'
          : 'kernel'
      : bn
        ? 'beta'
        : 'bias';
  return `${layer}/${kind}`;
}

const withGradients = onnxCases().filter((c) => c.gradients);

describe('ONNX import: per-layer gradient norms match PyTorch autograd', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each(withGradients.map((c) => [c.case, c] as const))('%s', async (_, c) => {
    const g = c.gradients!;
    const { model } = await loadLayersModel(path.join(ONNX_DIR, `${c.case}.onnx`));
    const x = tf.tensor(c.inputs[0]!.data, c.inputs[0]!.shape);
    const classes = model.outputs[0]!.shape[1]!;
    const y = tf.oneHot(tf.tensor1d(g.labels, 'int32'), classes);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: g.trainMode }) as tf.Tensor;
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, vars);
    const classOf = (name: string) => model.layers.find((l) => l.name === name)?.getClassName();
    const byName = new Map(model.trainableWeights.map((w, i) => [w.originalName, grads[vars[i]!.name]!]));
    expect(g.loss).toBe('cross-entropy-mean');
    for (const [torchName, norm] of Object.entries(g.norms)) {
      const grad = byName.get(tfjsWeight(torchName, classOf));
      expect(grad, `${torchName}: no such weight among ${[...byName.keys()].join(', ')}`).toBeDefined();
      const ours = tf.tidy(() => tf.norm(grad!).dataSync()[0]!);
      expect(Math.abs(ours - norm) / norm, `${torchName}: ${ours} vs PyTorch ${norm}`).toBeLessThan(1e-3);
    }
    tf.dispose([x, y, ...Object.values(grads)]);
    model.dispose();
  });
});

const NEGATIVE = new Set(['unsupported-op', 'external-data-escape', 'truncated']);

// Every imported graph must fine-tune, not just predict: tfjs lacks some gradients (dilated convolutions,
// StridedSlice), so each fixture's trainable weights must all get a finite gradient in training mode.
describe('ONNX import: every operator fixture is trainable', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(
    onnxCases()
      .filter((c) => !NEGATIVE.has(c.case))
      .map((c) => [c.case] as const),
  )('%s', async (name) => {
    const c = onnxCases().find((k) => k.case === name)!;
    const { model } = await loadLayersModel(path.join(ONNX_DIR, `${name}.onnx`));
    const shape = name === 'gemm-transA' ? [c.inputs[0]!.shape[1]!, c.inputs[0]!.shape[0]!] : c.inputs[0]!.shape;
    const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (vars.length > 0) {
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        vars,
      );
      for (const v of vars) expect(Number.isFinite(tf.sum(grads[v.name]!).dataSync()[0]!), v.name).toBe(true);
      tf.dispose(Object.values(grads));
    }
    x.dispose();
    model.dispose();
  });
});
