import { itTrains } from '../helpers/requirements.js';
import { describe, expect, it } from 'vitest';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import { audit } from '../../src/audit/audit.js';
import type { Artifacts, LayerInfo } from '../../src/artifacts/schema.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

const ln2 = Math.log(2);

/** The helper's dense_1 -> dense_2 -> dense_3 model with a dropout layer of this rate after each hidden layer. */
function withDropout(rates: number[], endLoss: number): Artifacts {
  const base = makeArtifacts({
    history: history({ loss: decay(20, ln2, endLoss), accuracy: Array(20).fill(endLoss < 0.3 ? 0.95 : 0.6) }),
  });
  const [d1, d2, out] = base.model.layers.map((l) => ({ ...l, dropoutRate: null })) as LayerInfo[];
  const drop = (i: number, rate: number, after: string): LayerInfo => ({
    name: `dropout_${i}`,
    className: 'Dropout',
    activation: null,
    outputShape: [null, 4],
    params: 0,
    inputs: [after],
    units: null,
    dropoutRate: rate,
  });
  const layers = rates.length
    ? [d1!, drop(1, rates[0]!, 'dense_1'), d2!, ...(rates[1] !== undefined ? [drop(2, rates[1], 'dense_2')] : []), out!]
    : [d1!, d2!, out!];
  return { ...base, model: { ...base.model, layers } };
}

describe('dropout-rate', () => {
  it.each([
    {
      name: 'rate 0.9 and the model underfits: the cause, fail',
      a: withDropout([0.9, 0.9], 0.82 * ln2),
      status: 'fail',
      match:
        /^dropout_1 0\.9, dropout_2 0\.9: they drop 90% of their inputs at every training step, and the model underfits \(see underfitting\)$/,
    },
    {
      name: 'rate 0.9 and the model fits: warn (it may be deliberate)',
      a: withDropout([0.9], 0.05 * ln2),
      status: 'warn',
      match: /^dropout_1 0\.9: it drops 90% of its inputs/,
    },
    {
      name: 'rate 0.5, the usual: pass even when the model underfits',
      a: withDropout([0.5, 0.2], 0.82 * ln2),
      status: 'pass',
      match: /^2 dropout layers, the highest rate 0\.5 \(dropout_1\)$/,
    },
    { name: 'rate 0.75, the threshold: warn', a: withDropout([0.75], 0.05 * ln2), status: 'warn' },
    {
      name: 'two high rates that differ: the lower one, "or more"',
      a: withDropout([0.8, 0.95], 0.05 * ln2),
      status: 'warn',
      match: /^dropout_1 0\.8, dropout_2 0\.95: they drop 80% or more of their inputs/,
    },
    { name: 'no dropout layer: not applicable', a: withDropout([], 0.05 * ln2), status: 'notApplicable' },
  ])('$name -> $status', ({ a, status, match }) => {
    const f = runOne('dropout-rate', a);
    expect(f.status, f.displayValue).toBe(status);
    if (match) expect(f.displayValue).toMatch(match);
    if (status === 'fail' || status === 'warn')
      expect(f.recommendation).toMatch(
        /Lower the rate of dropout_1.* to 0\.2-0\.5 .*keep probability of 0\.\d+ from TensorFlow 1 is a rate of 0\.\d+/,
      );
  });

  it('artifacts from before dropout rates were recorded: not applicable', () => {
    expect(runOne('dropout-rate', makeArtifacts()).status).toBe('notApplicable');
  });

  /** moons with relu(32)-relu(32), a Dropout of `rate` after each: the fault benchmark's dropout-0.9 mutation. */
  const moons = (rate: number): SpecInput => ({
    seed: 3,
    data: { generator: 'moons', samples: 400, noise: 0.2, normalize: 'standardize' },
    model: {
      train: {
        layers: [
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dropout', rate },
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'dropout', rate },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ],
        loss: 'binaryCrossentropy',
        metrics: ['accuracy'],
        epochs: 20,
        optimizer: { name: 'adam', learningRate: 0.01 },
      },
    },
  });

  itTrains(
    'a real training with Dropout(0.9) after each hidden layer underfits, and dropout-rate names the cause at fail',
    async () => {
      const r = await audit(moons(0.9));
      const high = r.measurements?.model?.layers.filter((l) => l.dropoutRate === 0.9).map((l) => l.name) ?? [];
      expect(high).toHaveLength(2);
      const f = r.findings.find((x) => x.id === 'dropout-rate')!;
      expect(['fail', 'warn']).toContain(r.findings.find((x) => x.id === 'underfitting')!.status);
      expect(f.status, f.displayValue).toBe('fail');
      expect(f.affectedLayers).toEqual(high);
    },
    60_000,
  );

  itTrains(
    'the same network with Dropout(0.2) fits and passes',
    async () => {
      const r = await audit(moons(0.2));
      const f = r.findings.find((x) => x.id === 'dropout-rate')!;
      expect(f.status, f.displayValue).toBe('pass');
      expect(r.findings.find((x) => x.id === 'underfitting')!.status).toBe('pass');
    },
    60_000,
  );
});
