import { describe, expect, it } from 'vitest';
import { history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';
import type { Artifacts, LayerInfo, ModelInfo } from '../../src/artifacts/schema.js';

/** A 3-layer model whose layers have these trainable flags (undefined: not recorded), 10 parameters each. */
function model(flags: Array<boolean | undefined>, source: ModelInfo['source'] = 'trained', trained = true): Artifacts {
  const base = makeArtifacts();
  const layers: LayerInfo[] = base.model.layers.map((l, i) => {
    const { trainable: _drop, ...rest } = l;
    return flags[i] === undefined ? rest : { ...rest, trainable: flags[i] };
  });
  const trainableParams = layers.filter((l) => l.trainable !== false).length * 10;
  return makeArtifacts({
    model: { ...base.model, source, layers, params: 30, trainableParams },
    history: trained ? history({ loss: [0.7, 0.6, 0.5] }) : null,
  });
}

describe('frozen-layers', () => {
  it.each([
    {
      name: 'every layer trainable',
      a: model([true, true, true]),
      status: 'pass',
      match: /all 3 layers with weights are trainable/,
    },
    {
      name: 'hidden layers frozen in a model built from the spec',
      a: model([false, false, true]),
      status: 'fail',
      match: /2 layers dense_1, dense_2 frozen at their random initialization: 20 of 30 parameters never train/,
    },
    {
      name: 'one frozen layer built from the spec',
      a: model([true, false, true]),
      status: 'fail',
      match: /layer dense_2 frozen at its random initialization/,
    },
    {
      name: 'a loaded model with a frozen base (transfer learning)',
      a: model([false, false, true], 'loaded'),
      status: 'pass',
      match: /keep their loaded weights, as in transfer learning/,
    },
    {
      name: 'a loaded model trained with every layer frozen',
      a: model([false, false, false], 'loaded'),
      status: 'fail',
      match: /no trainable weights: training changed nothing/,
    },
    {
      name: 'no training in the audit',
      a: model([false, false, true], 'trained', false),
      status: 'notApplicable',
      match: /no training in this audit/,
    },
    {
      name: 'artifacts from before trainable was recorded',
      a: model([undefined, undefined, undefined]),
      status: 'notApplicable',
      match: /do not record which layers are trainable/,
    },
  ])('$name -> $status', ({ a, status, match }) => {
    const f = runOne('frozen-layers', a);
    expect(f.status, f.displayValue).toBe(status);
    expect(f.displayValue).toMatch(match);
    if (status === 'fail') {
      expect(f.recommendation).toMatch(/trainable/);
      expect(f.affectedLayers.length).toBeGreaterThan(0);
    }
  });
});
