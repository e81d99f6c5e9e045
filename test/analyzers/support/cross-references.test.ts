import { describe, expect, it } from 'vitest';
import { activationLayer, decay, history, makeArtifacts } from '../../helpers/artifacts.js';
import { runAnalyzers } from '../../../src/audit/run-analyzers.js';
import { runOrder } from '../../../src/analyzers/support/cross-references.js';
import { ANALYZERS } from '../../../src/analyzers/index.js';
import type { Analyzer } from '../../../src/analyzers/support/define-analyzer.js';

const ln2 = Math.log(2);
const deadEpoch = (epoch: number) => ({
  epoch,
  layers: [
    activationLayer('dense_1', 'relu', [1, 1, 1, 1]),
    activationLayer('dense_2', 'relu', [1, 1, 1, 1]),
    activationLayer('dense_3', 'sigmoid', [0.5], [0]),
  ],
});

describe('cross-references between findings', () => {
  it('raw 0-16 pixels (a warn-level scale): the failures they cause say so, and unnormalized-inputs fails with them', () => {
    const base = makeArtifacts();
    const data = { ...base.data, normalize: 'none', featureRange: { min: 0, max: 16, meanAbs: 5 } };
    const a = makeArtifacts({
      data,
      history: history({ loss: decay(20, ln2, 0.99 * ln2), accuracy: Array(20).fill(0.5) }),
      activations: [deadEpoch(0), deadEpoch(5)],
    });
    const findings = runAnalyzers(a);
    const byId = Object.fromEntries(findings.map((f) => [f.id, f]));
    expect(byId['unnormalized-inputs']!.status).toBe('fail');
    for (const id of ['underfitting', 'dead-relu']) {
      expect(byId[id]!.status).toBe('fail');
      expect(byId[id]!.displayValue).toMatch(
        /likely cause: the inputs are not normalized \(features range over \[0, 16/,
      );
    }
    // dead-relu keeps its own advice after "normalize first"; underfitting's own (capacity, epochs) would contradict
    // the cause, so it defers to it (issue 22).
    expect(byId['dead-relu']!.recommendation).toMatch(/^Normalize the inputs first/);
    expect(byId['underfitting']!.recommendation).toMatch(
      /^Follows from unnormalized-inputs: normalize the inputs first/,
    );
    // Normalized inputs: the same failures cite nothing.
    const normalized = runAnalyzers(makeArtifacts({ history: a.history, activations: a.activations }));
    for (const f of normalized) expect(f.displayValue).not.toMatch(/likely cause/);
  });

  it('keeps registry order in the output while running cited analyzers first', () => {
    const ids = runAnalyzers(makeArtifacts()).map((f) => f.id);
    expect(ids).toEqual(ANALYZERS.map((a) => a.meta.id));
    const order = runOrder(ANALYZERS).map((a) => a.meta.id);
    for (const a of ANALYZERS)
      for (const dep of a.meta.after ?? [])
        expect(order.indexOf(dep), `${dep} before ${a.meta.id}`).toBeLessThan(order.indexOf(a.meta.id));
  });

  it('rejects a cycle in meta.after', () => {
    const fake = (id: string, after: string[]) =>
      ({ ...ANALYZERS[0]!, meta: { ...ANALYZERS[0]!.meta, id, after } }) as Analyzer;
    expect(() => runOrder([fake('a', ['b']), fake('b', ['a'])])).toThrow(/cycle/);
  });
});
