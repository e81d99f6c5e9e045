import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/gather/backend/backend.js';
import { loadLayersModel } from '../../../src/gather/model/load-model.js';
import { tf } from '../../../src/gather/tf.js';
import { ONNX_DIR } from './fixtures.js';

// The importer's own layers (grouped conv, PyTorch pooling, constants, elementwise functions) are registered, so a
// model holding them survives toJSON/modelFromJSON, as a model saved or cloned by a user's code would.
describe("ONNX import: models with the importer's custom layers serialize and clone", () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each([
    ['avgpool-pad-count-exclude'],
    ['conv-groups'],
    ['gelu'],
    ['constant-ops'],
    ['elu'],
    ['maxpool-ceil'],
    ['logsoftmax'],
  ])('%s', async (name) => {
    const { model } = await loadLayersModel(path.join(ONNX_DIR, `${name}.onnx`));
    const clone = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'],
    });
    clone.setWeights(model.getWeights());
    const x = tf.randomNormal([2, ...model.inputs[0]!.shape.slice(1).map((d) => d ?? 1)], 0, 1, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, clone.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    clone.dispose();
  });
});
