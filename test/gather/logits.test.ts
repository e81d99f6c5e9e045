import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { compileMetrics, LOGIT_LOSS_FUNCS, LOSS_FUNCS } from '../../src/gather/train/losses.js';
import { decideFromLogits } from '../../src/gather/model/logits.js';
import { SpecError } from '../../src/errors.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};
const logSumExp = (row: number[]) => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe("losses from logits match PyTorch's definitions", () => {
  const logits = [
    [2.0, -1.0, 0.5],
    [-3.0, 4.0, 1.0],
    [40.0, -40.0, 0.0],
  ];
  const ids = [0, 2, 1]; // the last row is confidently wrong: a probability loss clips it at -log(1e-7) = 16.1

  it('categorical and sparse cross-entropy: logsumexp(z) - z[label] per row (CrossEntropyLoss, reduction none)', async () => {
    const expected = logits.map((row, i) => logSumExp(row) - row[ids[i]!]!);
    const z = tf.tensor2d(logits);
    const oneHot = tf.oneHot(tf.tensor1d(ids, 'int32'), 3).toFloat();
    const sparse = tf.tensor2d(ids, [3, 1]);
    for (const got of [
      await values(LOGIT_LOSS_FUNCS.categoricalCrossentropy(oneHot, z)),
      await values(LOGIT_LOSS_FUNCS.sparseCategoricalCrossentropy(sparse, z)),
    ]) {
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    }
    expect(expected[2]).toBeGreaterThan(79); // not clipped: the probability form would give 16.1 here
    const clipped = await values(LOSS_FUNCS.categoricalCrossentropy(oneHot, tf.softmax(z)));
    expect(clipped[2]).toBeLessThan(17);
    tf.dispose([z, oneHot, sparse]);
  });

  it('binary cross-entropy: softplus(z) - y*z, averaged over units (BCEWithLogitsLoss)', async () => {
    const z = [[3.0], [-2.0], [0.0]];
    const y = [[1], [1], [0]];
    const expected = z.map((r, i) => Math.log1p(Math.exp(r[0]!)) - y[i]![0]! * r[0]!);
    const got = await values(LOGIT_LOSS_FUNCS.binaryCrossentropy(tf.tensor2d(y), tf.tensor2d(z)));
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('accuracy on logits: a single unit is positive above 0 (not 0.5), sparse labels are read as ids', async () => {
    const [binary] = compileMetrics(['accuracy'], 'binaryCrossentropy', true) as [
      (t: tf.Tensor, p: tf.Tensor) => tf.Tensor,
    ];
    expect(binary.name).toBe('accuracy');
    // logits 0.2 and -0.2 are probabilities 0.55 and 0.45: right for labels 1 and 0 (tfjs' 0.5 threshold on the logit says 0 and 0).
    expect(await values(binary(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.2], [-0.2]])))).toEqual([1, 1]);
    const [sparse] = compileMetrics(['accuracy'], 'sparseCategoricalCrossentropy', true) as [
      (t: tf.Tensor, p: tf.Tensor) => tf.Tensor,
    ];
    expect(
      await values(
        sparse(
          tf.tensor2d([[2], [0]]),
          tf.tensor2d([
            [0, 1, 5],
            [0, 1, 5],
          ]),
        ),
      ),
    ).toEqual([1, 0]);
    expect(compileMetrics(['accuracy', 'mae'], 'categoricalCrossentropy', false)).toEqual(['accuracy', 'mae']);
  });
});

describe('decideFromLogits: stated, then saved, then the graph', () => {
  it.each([
    {
      name: 'a stated value wins over the file and the graph',
      o: { stated: false, saved: true, outputActivation: 'linear' },
      expected: { fromLogits: false, source: 'stated' },
    },
    {
      name: 'a saved Keras from_logits=True',
      o: { saved: true, outputActivation: 'linear' },
      expected: { fromLogits: true, source: 'saved' },
    },
    {
      name: 'a saved probability loss on a linear output stays a probability loss (output-activation reports it)',
      o: { saved: false, outputActivation: 'linear' },
      expected: { fromLogits: false, source: 'saved' },
    },
    {
      name: 'nothing said, the graph ends linear (every PyTorch export)',
      o: { outputActivation: 'linear' },
      expected: { fromLogits: true, source: 'detected' },
    },
    {
      name: 'nothing said, the graph ends in softmax',
      o: { outputActivation: 'softmax' },
      expected: { fromLogits: false, source: 'detected' },
    },
    {
      name: 'nothing said, the graph ends in relu: not logits (output-activation reports the relu)',
      o: { outputActivation: 'relu' },
      expected: { fromLogits: false, source: 'detected' },
    },
    {
      name: 'a model built from a spec takes probabilities unless told',
      o: { outputActivation: 'linear', built: true },
      expected: { fromLogits: false, source: 'default' },
    },
    {
      name: 'a regression loss never takes logits',
      o: { outputActivation: 'linear', loss: 'meanSquaredError' as const },
      expected: { fromLogits: false, source: 'default' },
    },
  ])('$name', ({ o, expected }) => {
    expect(decideFromLogits({ loss: 'categoricalCrossentropy', built: false, ...o })).toEqual(expected);
  });

  it('refuses fromLogits on a loss that has no link', () => {
    expect(() =>
      decideFromLogits({ stated: true, loss: 'meanSquaredError', outputActivation: 'linear', built: false }),
    ).toThrow(SpecError);
    expect(() =>
      decideFromLogits({ stated: true, loss: 'meanSquaredError', outputActivation: 'linear', built: false }),
    ).toThrow(/meanSquaredError does not take logits/);
  });
});
