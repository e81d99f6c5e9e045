import { describe, expect, it } from 'vitest';
import { gather } from '../../src/gather/gather.js';
import { validateSpec } from '../../src/config/load-spec.js';
import { STRONGEST_K } from '../../src/artifacts/schema.js';
import { ROOT } from '../helpers/cli.js';

/** What the report's neuron-by-neuron picture needs, recorded at any layer width. */
describe('gather records what the network picture draws', () => {
  it('a Dense layer wider than 64 keeps each unit’s strongest inputs; CSV columns are kept as feature names', async () => {
    const spec = validateSpec({
      model: {
        train: {
          layers: [
            { type: 'dense', units: 80, activation: 'relu' },
            { type: 'dense', units: 1, activation: 'sigmoid' },
          ],
          loss: 'binaryCrossentropy',
          epochs: 1,
        },
      },
      data: { csv: 'fixtures/data/breast-cancer.csv', label: 'label', normalize: 'standardize', probeSize: 32 },
    });
    const a = await gather(spec, { baseDir: ROOT, backend: 'cpu' });
    expect(a.data.featureNames).toHaveLength(30);
    expect(a.data.featureNames![0]).toBe('mean_radius');
    const last = a.weights.at(-1)!.weights;
    const wide = last.find((w) => w.layer === 'dense_1' && w.weight === 'kernel')!;
    expect(wide.values).toBeUndefined(); // 30 x 80: too wide to keep whole
    expect(wide.strongest!.k).toBe(STRONGEST_K);
    expect(wide.strongest!.inputs).toHaveLength(80 * STRONGEST_K);
    expect(wide.strongest!.inputs.every((i) => i >= 0 && i < 30)).toBe(true);
    // Strongest first within each unit.
    const v = wide.strongest!.values.map((x) => Math.abs(x!));
    for (let j = 0; j < 80; j++)
      for (let m = 1; m < STRONGEST_K; m++)
        expect(v[j * STRONGEST_K + m]!).toBeLessThanOrEqual(v[j * STRONGEST_K + m - 1]!);
    const out = last.find((w) => w.layer === 'dense_2' && w.weight === 'kernel')!;
    expect(out.strongest!.inputs).toHaveLength(STRONGEST_K); // 80 x 1: one unit, its 4 strongest of 80
    expect(last.find((w) => w.weight === 'bias')!.strongest).toBeUndefined();
    // One copy, at the probe the report draws: the first probe's is dropped.
    expect(a.weights.length).toBeGreaterThan(1);
    expect(a.weights[0]!.weights.some((w) => w.strongest)).toBe(false);
  }, 60_000);

  it('placeholder names (x0..xn of a JSON array) are not recorded', async () => {
    const spec = validateSpec({
      model: { load: { path: 'fixtures/models/wine-mlp/model.json', validationSplit: 0 } },
      data: { json: 'fixtures/data/wine-standardized.json' },
    });
    const a = await gather(spec, { baseDir: ROOT, backend: 'cpu' });
    expect(a.data.featureNames).toBeUndefined();
  }, 60_000);
});
