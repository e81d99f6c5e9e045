import { describe, expect, it } from 'vitest';
import { activationLayer, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const epoch = (epochN: number, l1: number[], l2: number[]) => ({
  epoch: epochN,
  layers: [
    activationLayer('dense_1', 'relu', l1),
    activationLayer('dense_2', 'relu', l2),
    activationLayer('dense_3', 'sigmoid', [0.5], [0]),
  ],
});

describe('dead-relu', () => {
  it.each([
    { name: 'all alive', l2: [0.5, 0.6, 0.2, 0.9], status: 'pass', value: 0 },
    { name: 'one of four dead (25%)', l2: [1, 0.6, 0.2, 0.9], status: 'pass', value: 0.25 },
    { name: 'half dead', l2: [1, 1, 0.2, 0.9], status: 'warn', value: 0.5 },
    { name: '3/4 dead (>= 0.7)', l2: [1, 1, 1, 0.9], status: 'fail', value: 0.75 },
    { name: 'whole layer dead', l2: [1, 1, 1, 1], status: 'fail', value: 1 },
    {
      name: '0.999 is not dead: one probe sample was positive',
      l2: [0.999, 0.999, 0.999, 0.999],
      status: 'pass',
      value: 0,
    },
  ])('$name -> $status', ({ l2, status, value }) => {
    const a = makeArtifacts({
      activations: [epoch(0, [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]), epoch(10, [0.5, 0.5, 0.5, 0.5], l2)],
    });
    const f = runOne('dead-relu', a);
    expect(f.status).toBe(status);
    expect(f.numericValue).toBeCloseTo(value);
    if (status !== 'pass') {
      expect(f.affectedLayers).toEqual(['dense_2']);
      expect(f.recommendation).toMatch(/learning rate|heNormal/);
    }
  });

  it('names a fully dead layer and the constant output in the recommendation', () => {
    const a = makeArtifacts({
      activations: [epoch(0, [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1]), epoch(5, [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1])],
    });
    const f = runOne('dead-relu', a);
    expect(f.score).toBe(0);
    expect(f.recommendation).toMatch(/dense_2 is entirely dead/);
    expect(f.recommendation).toMatch(/from initialization/);
  });

  it('on a model audited as loaded (probed only in its saved weights) blames the saved weights, not initialization', () => {
    const base = makeArtifacts();
    const a = makeArtifacts({
      model: { ...base.model, source: 'loaded' },
      activations: [epoch(0, [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1])],
    });
    const f = runOne('dead-relu', a);
    expect(f.recommendation).toMatch(/^Units are dead in the saved weights of dense_2\./);
    expect(f.recommendation).not.toMatch(/initialization in/);
  });

  it('has one "Dead" column, not "at start" and "at end", when it saw one snapshot (a model audited as loaded)', () => {
    const base = makeArtifacts();
    const a = makeArtifacts({
      model: { ...base.model, source: 'loaded' },
      activations: [epoch(0, [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1])],
    });
    const table = runOne('dead-relu', a).evidence.find((e) => e.kind === 'table');
    expect(table?.kind === 'table' && table.columns.map((c) => c.label)).toEqual([
      'Layer',
      'Units',
      'Dead',
      'Dead fraction',
    ]);
    expect(table?.kind === 'table' && table.rows.every((r) => !('deadAtStart' in r))).toBe(true);
  });

  it('says units died during training when they were alive at the start', () => {
    const a = makeArtifacts({
      history: { epochs: [1], series: { loss: [0.5] } },
      activations: [
        epoch(0, [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]),
        epoch(5, [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 0.5]),
      ],
    });
    expect(runOne('dead-relu', a).recommendation).toMatch(
      /died during training.*Lower the learning rate \(now adam at learning rate 0.01\)/,
    );
  });

  it('honours a threshold override', () => {
    const a = makeArtifacts({ activations: [epoch(0, [0.5], [1, 1, 0.5, 0.5])] });
    expect(runOne('dead-relu', a).status).toBe('warn');
    expect(runOne('dead-relu', a, { failLayerFraction: 0.5 }).status).toBe('fail');
  });

  it('is not applicable without ReLU layers or with NaN activations', () => {
    const noRelu = makeArtifacts({ activations: [{ epoch: 0, layers: [activationLayer('d', 'tanh', [0.5], [0])] }] });
    expect(runOne('dead-relu', noRelu).status).toBe('notApplicable');
    const nan = makeArtifacts({ activations: [{ epoch: 0, layers: [activationLayer('d', 'relu', [1, 1], null, 3)] }] });
    expect(runOne('dead-relu', nan).displayValue).toMatch(/NaN/);
  });
});
