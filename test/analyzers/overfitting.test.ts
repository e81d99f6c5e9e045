import { describe, expect, it } from 'vitest';
import { decay, history, makeArtifacts } from '../helpers/artifacts.js';
import { runOne } from '../helpers/run.js';

const n = 30;
const trainFalling = decay(n, 0.7, 0.05);
/** Validation loss that bottoms out at epoch `at` then rises linearly to `end`. */
const uShape = (min: number, at: number, end: number) =>
  Array.from({ length: n }, (_, i) =>
    i <= at ? 0.7 - (0.7 - min) * (i / at) : min + (end - min) * ((i - at) / (n - 1 - at)),
  );

describe('overfitting', () => {
  it.each([
    { name: 'validation follows training', val: decay(n, 0.7, 0.1), status: 'pass' },
    { name: 'validation flat after its minimum', val: uShape(0.3, 10, 0.31), status: 'pass' },
    { name: 'validation 15% above its minimum', val: uShape(0.3, 10, 0.345), status: 'warn' },
    { name: 'validation doubles from its minimum', val: uShape(0.3, 10, 0.6), status: 'fail' },
    { name: 'tiny absolute rise (0.01 -> 0.02) is not material', val: uShape(0.01, 10, 0.02), status: 'pass' },
  ])('$name -> $status', ({ val, status }) => {
    const f = runOne('overfitting', makeArtifacts({ history: history({ loss: trainFalling, val_loss: val }) }));
    expect(f.status).toBe(status);
    if (status === 'fail') {
      expect(f.recommendation).toMatch(/Stop at epoch 11/);
      const curve = f.evidence.find((e) => e.kind === 'series');
      expect(curve && 'regions' in curve ? curve.regions : []).toHaveLength(1);
    }
  });

  it('does not call it overfitting when the training loss rises too', () => {
    const rising = uShape(0.3, 10, 0.6);
    expect(runOne('overfitting', makeArtifacts({ history: history({ loss: rising, val_loss: rising }) })).status).toBe(
      'pass',
    );
  });

  it('warns on a train-validation accuracy gap of 0.10 or more', () => {
    const h = history({
      loss: trainFalling,
      val_loss: decay(n, 0.7, 0.2),
      accuracy: Array(n).fill(0.99),
      val_accuracy: Array(n).fill(0.85),
    });
    const f = runOne('overfitting', makeArtifacts({ history: h }));
    expect(f.status).toBe('warn');
    expect(f.displayValue).toMatch(/gap 0.14/);
  });

  it('is not applicable without validation loss or with too few epochs', () => {
    expect(runOne('overfitting', makeArtifacts({ history: history({ loss: trainFalling }) })).status).toBe(
      'notApplicable',
    );
    expect(
      runOne('overfitting', makeArtifacts({ history: history({ loss: [1, 0.5], val_loss: [1, 2] }) })).status,
    ).toBe('notApplicable');
    expect(runOne('overfitting', makeArtifacts()).status).toBe('notApplicable');
  });

  it('on a model audited as loaded without history, says how to give one instead of naming an artifact kind', () => {
    const base = makeArtifacts();
    const loaded = runOne('overfitting', makeArtifacts({ model: { ...base.model, source: 'loaded' } }));
    expect(loaded.status).toBe('notApplicable');
    expect(loaded.displayValue).toMatch(
      /no training history: the model was audited as loaded; .*--history.*--epochs N/,
    );
    expect(runOne('overfitting', base).displayValue).toMatch(/needs History artifacts/); // a trained run always records history
  });
});
