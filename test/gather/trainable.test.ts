import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { buildModel } from '../../src/gather/build-model.js';
import { audit } from '../../src/analyze/audit.js';
import { validateSpec } from '../../src/config/load-spec.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

const layers = (hiddenTrainable: boolean) => [
  { type: 'dense' as const, units: 8, activation: 'relu' as const, trainable: hiddenTrainable },
  { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
];

/** `trainable: false` on a spec layer (the DeepCrime "frozen layers" fault) reaches tfjs and the result. */
describe('trainable: false on spec layers', () => {
  it('the frozen layer keeps its initial weights through fit while the others change', async () => {
    const spec = validateSpec({ data: { generator: 'moons' }, model: { train: { layers: layers(false), loss: 'binaryCrossentropy' } } });
    if (!('train' in spec.model)) throw new Error('train spec expected');
    const model = buildModel(spec.model.train, [2], 1);
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const kernels = () => model.layers.map((l) => Array.from(l.getWeights()[0]!.dataSync()));
    const before = kernels();
    const x = tf.randomNormal([32, 2], 0, 1, 'float32', 3);
    const y = tf.tidy(() => x.sum(1, true).greater(0).cast('float32'));
    await model.fit(x, y, { epochs: 3, verbose: 0 });
    const after = kernels();
    expect(model.layers.map((l) => l.trainable)).toEqual([false, true]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each([
    { hiddenTrainable: false, status: 'fail', trainable: [false, true] },
    { hiddenTrainable: true, status: 'pass', trainable: [true, true] },
  ])('an audit records trainable per layer and frozen-layers is $status when the hidden layer is trainable: $hiddenTrainable', async ({ hiddenTrainable, status, trainable }) => {
    const spec: SpecInput = {
      seed: 3, data: { generator: 'moons', samples: 200, noise: 0.2 },
      model: { train: { layers: layers(hiddenTrainable), loss: 'binaryCrossentropy', epochs: 2 } },
    };
    const r = await audit(spec);
    expect(r.model.layers.map((l) => l.trainable)).toEqual(trainable);
    expect(r.model.trainableParams).toBe(hiddenTrainable ? r.model.params : 9);
    const f = r.findings.find((x) => x.id === 'frozen-layers')!;
    expect(f.status, f.displayValue).toBe(status);
    if (status === 'fail') expect(f.displayValue).toMatch(/layer dense_1 frozen at its random initialization: 24 of 33 parameters never train/);
  });
});
