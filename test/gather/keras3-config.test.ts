import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTfjsTopology, snakeCase, type Json } from '../../src/gather/model/loaders/keras3-config.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { tf } from '../../src/gather/tf.js';
import { fixturesDir } from '../../src/cli/fixtures.js';
import { ModelLoadError } from '../../src/errors.js';
import { DTYPE_POLICY, dense, inputLayer } from '../helpers/keras3-archive.js';

const sequential = (layers: unknown[]) =>
  ({
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 's', trainable: true, dtype: DTYPE_POLICY, layers },
  }) as unknown as Json;
const layer = (class_name: string, config: Record<string, unknown>) => ({
  module: 'keras.layers',
  class_name,
  registered_name: null,
  config: { trainable: true, dtype: DTYPE_POLICY, ...config },
});

beforeAll(async () => {
  await selectBackend();
});

describe('toTfjsTopology: Keras 3 config -> what tfjs-layers reads', () => {
  it('keeps the meaning of Keras 3 renames: LeakyReLU negative_slope, the silu activation', async () => {
    const topology = toTfjsTopology(
      sequential([
        inputLayer('in', [null, 2]),
        layer('LeakyReLU', { name: 'leaky', negative_slope: 0.1 }),
        layer('Activation', { name: 'act', activation: 'silu' }),
      ]),
      'test',
    );
    const model = await tf.models.modelFromJSON({
      modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'],
    });
    const x = tf.tensor2d([[-1, 2]]);
    const y = model.predict(x) as tf.Tensor;
    const silu = (v: number) => v / (1 + Math.exp(-v));
    const got = await y.data();
    expect(got[0]).toBeCloseTo(silu(-0.1), 6); // tfjs' default alpha (0.3) would give silu(-0.3)
    expect(got[1]).toBeCloseTo(silu(2), 6);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("refuses Keras 3's hard_sigmoid, which tfjs computes with another slope", () => {
    expect(() =>
      toTfjsTopology(sequential([inputLayer('in', [null, 2]), dense('gate', 1, 'hard_sigmoid', 2)]), 'm.keras'),
    ).toThrow(ModelLoadError);
    expect(() =>
      toTfjsTopology(sequential([inputLayer('in', [null, 2]), dense('gate', 1, 'hard_sigmoid', 2)]), 'm.keras'),
    ).toThrow(/m\.keras: layer "gate" uses Keras 3's hard_sigmoid/);
  });

  it('leaves a Keras 2 config as it was', () => {
    const json = JSON.parse(readFileSync(path.join(fixturesDir(), 'models', 'wine-mlp', 'model.json'), 'utf8')) as {
      modelTopology: { model_config?: Json } & Record<string, Json>;
    };
    const config = (json.modelTopology.model_config ?? json.modelTopology) as Json;
    expect(toTfjsTopology(config, 'wine')).toEqual(config);
  });

  it.each([
    ['Dense', 'dense'],
    ['Conv2D', 'conv2d'],
    ['MaxPooling2D', 'max_pooling2d'],
    ['BatchNormalization', 'batch_normalization'],
    ['LSTM', 'lstm'],
    ['GlobalAveragePooling2D', 'global_average_pooling2d'],
    ['InputLayer', 'input_layer'],
  ])('names %s weight groups "%s", as Keras does', (cls, name) => {
    expect(snakeCase(cls)).toBe(name);
  });
});
