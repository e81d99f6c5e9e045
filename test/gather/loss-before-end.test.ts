import { describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { gather } from '../../src/gather/gather.js';
import { lossBeforeEndPoint } from '../../src/gather/train/fit.js';
import { validateSpec } from '../../src/config/load-spec.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

/**
 * A run with no probe between its start and its end (one epoch) gets one probe loss half-way through its last epoch,
 * so "still falling when it stopped" is the slope at the end, not the first steps' drop from random weights.
 */
describe('the probe loss half-way through the last epoch', () => {
  it('is placed only where no probe lies between the start and the end, and the epoch has at least 4 batches', () => {
    expect(lossBeforeEndPoint(1, new Set(), 300, 32)).toEqual({ epoch: 1, batch: 5, at: 0.5 });
    expect(lossBeforeEndPoint(1, new Set(), 100, 32)).toEqual({ epoch: 1, batch: 2, at: 0.5 });
    expect(lossBeforeEndPoint(1, new Set(), 96, 32)).toBeNull(); // 3 batches
    expect(lossBeforeEndPoint(20, new Set([5, 10, 15]), 300, 32)).toBeNull();
    expect(lossBeforeEndPoint(2, new Set(), 300, 32)).toEqual({ epoch: 2, batch: 5, at: 1.5 });
  });

  const spec = (epochs: number): SpecInput => ({
    seed: 4,
    data: { generator: 'xor', samples: 400, noise: 0.05, probeSize: 64 },
    model: {
      train: {
        layers: [
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
        loss: 'binaryCrossentropy',
        optimizer: { name: 'adam', learningRate: 0.01 },
        epochs,
        batchSize: 32,
        validationSplit: 0.25,
      },
    },
  });

  it('is recorded for a one-epoch run (DeepCrime HNE), above the final probe loss; not for a probed 20-epoch run', async () => {
    const one = await gather(validateSpec(spec(1)));
    expect(one.lossBeforeEnd?.epoch).toBeCloseTo(0.5, 5);
    expect(one.lossBeforeEnd?.loss).toBeGreaterThan(one.gradients[one.gradients.length - 1]!.loss!);
    const twenty = await gather(validateSpec(spec(20)));
    expect(twenty.lossBeforeEnd).toBeUndefined();
  }, 120_000);

  it('the one-epoch run fails underfitting with "Train longer"; the 20-epoch run of the same model passes', async () => {
    const one = (await audit(spec(1))).findings.find((f) => f.id === 'underfitting')!;
    expect(one.status, one.displayValue).toBe('fail');
    expect(one.recommendation).toMatch(/^Train longer/);
    const twenty = (await audit(spec(20))).findings.find((f) => f.id === 'underfitting')!;
    expect(twenty.status, twenty.displayValue).toBe('pass');
  }, 120_000);
});
