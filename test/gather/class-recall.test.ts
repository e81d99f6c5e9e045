import { describe, expect, it } from 'vitest';
import { audit } from '../../src/analyze/audit.js';
import { createRng } from '../../src/util/random.js';

/** evaluation.classRecall: per-class recall on the validation rows, which accuracy hides on imbalanced data. */
describe('per-class recall on the validation rows', () => {
  const layers = [{ type: 'dense' as const, units: 8, activation: 'relu' as const }, { type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];

  it('a 95/5 set whose features carry no signal: accuracy ~0.95, the rare class never recalled, class-imbalance fails', async () => {
    const rng = createRng(4);
    const y = Array.from({ length: 400 }, (_, i) => (i % 20 === 0 ? 1 : 0));
    const x = y.map(() => [rng() - 0.5, rng() - 0.5]);
    const r = await audit({
      seed: 2, data: { json: { x, y }, task: 'classification' },
      model: { train: { layers, loss: 'binaryCrossentropy', metrics: ['accuracy'], epochs: 20, optimizer: { name: 'adam', learningRate: 0.05 }, validationSplit: 0.25 } },
    });
    const recall = r.measurements?.evaluation?.classRecall ?? [];
    expect(recall).toHaveLength(2);
    expect(recall[0]).toBeGreaterThan(0.9);
    expect(recall[1]).toBeLessThan(0.5);
    expect(r.findings.find((f) => f.id === 'class-imbalance')!.status).toBe('fail');
  });

  it('balanced moons: both classes recalled, class-imbalance passes', async () => {
    const r = await audit({
      seed: 2, data: { generator: 'moons', samples: 300, noise: 0.1, normalize: 'standardize' },
      model: { train: { layers, loss: 'binaryCrossentropy', epochs: 15, optimizer: { name: 'adam', learningRate: 0.03 } } },
    });
    const recall = r.measurements?.evaluation?.classRecall ?? [];
    expect(recall).toHaveLength(2);
    for (const v of recall) expect(v).toBeGreaterThan(0.7);
    expect(r.findings.find((f) => f.id === 'class-imbalance')!.status).toBe('pass');
  });
});
