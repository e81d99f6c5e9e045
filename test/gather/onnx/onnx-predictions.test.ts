import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/gather/backend/backend.js';
import { loadLayersModel } from '../../../src/gather/model/load-model.js';
import { tf } from '../../../src/gather/tf.js';
import { ONNX_DIR, onnxCases, relativeError, type OnnxCase } from './fixtures.js';

const NEGATIVE = new Set(['unsupported-op', 'external-data-escape', 'truncated']);
const positive = onnxCases().filter((c) => !NEGATIVE.has(c.case));

/** The fixture's input as the model takes it: batch first (Gemm transA's [features, batch] input is transposed). */
function inputTensor(c: OnnxCase): tf.Tensor {
  const i = c.inputs[0]!;
  const t = tf.tensor(i.data, i.shape);
  if (c.case !== 'gemm-transA') return t;
  const rows = tf.transpose(t);
  t.dispose();
  return rows;
}

describe.each([['wasm'], ['cpu']] as const)(
  'ONNX import on %s: predictions match PyTorch on every operator fixture',
  (backend) => {
    beforeAll(async () => {
      await selectBackend(backend);
    });

    it.each(positive.map((c) => [c.case, c] as const))('%s', async (_, c) => {
      const { model, inputLayout } = await loadLayersModel(path.join(ONNX_DIR, `${c.case}.onnx`));
      const x = inputTensor(c);
      const before = tf.memory().numTensors;
      const y = model.predict(x) as tf.Tensor;
      const expected = c.outputs[0]!;
      expect(y.shape.slice(1)).toEqual(expected.shape.slice(1));
      const err = relativeError(await y.data(), expected.data);
      expect(err, `${c.case}: ${c.description}`).toBeLessThan(1e-4);
      const train = c.outputs.find((o) => o.name === 'output@train');
      if (train) {
        // The training-form BatchNormalization normalizes with the batch's own statistics, as model.train() does.
        const yt = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
        expect(relativeError(await yt.data(), train.data), `${c.case} in training mode`).toBeLessThan(1e-4);
        yt.dispose();
      }
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(inputLayout).toBe(c.inputs[0]!.shape.length === 4 ? 'channelsFirst' : 'channelsLast');
      x.dispose();
      model.dispose();
    });
  },
);
