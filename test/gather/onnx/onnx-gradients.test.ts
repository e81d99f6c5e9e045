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
  const kind = param === 'weight' ? (bn ? 'gamma' : classOf(layer) === 'DepthwiseConv2D' ? 'depthwise_kernel' : 'kernel') : bn ? 'beta' : 'bias';
  return `${layer}/${kind}`;
}

const withGradients = onnxCases().filter((c) => c.gradients);

describe('ONNX import: per-layer gradient norms match PyTorch autograd', () => {
  beforeAll(async () => { await selectBackend('cpu'); });

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
