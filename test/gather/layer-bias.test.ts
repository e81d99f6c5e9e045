import { describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';

/** model.layers[].bias comes from the built model (useBias), so missing-bias judges what tfjs actually trained. */
describe('bias recorded per layer', () => {
  it.each([
    { useBias: true, bias: [true, true], status: 'pass' },
    { useBias: false, bias: [false, false], status: 'fail' },
  ])('useBias: $useBias -> bias $bias, missing-bias $status', async ({ useBias, bias, status }) => {
    const r = await audit({
      seed: 3,
      data: { generator: 'moons', samples: 200, noise: 0.2 },
      model: {
        train: {
          layers: [
            { type: 'dense', units: 8, activation: 'relu', useBias },
            { type: 'dense', units: 1, activation: 'sigmoid', useBias },
          ],
          loss: 'binaryCrossentropy',
          epochs: 2,
        },
      },
    });
    expect(r.model.layers.map((l) => l.bias)).toEqual(bias);
    const f = r.findings.find((x) => x.id === 'missing-bias')!;
    expect(f.status, f.displayValue).toBe(status);
  });
});
