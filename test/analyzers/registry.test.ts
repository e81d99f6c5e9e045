import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYZERS } from '../../src/analyzers/index.js';

const srcDir = path.resolve(__dirname, '../../src/analyzers');
// Helpers live in support/: every .ts file at the top of src/analyzers/ is an analyzer, but the registry and the
// settings check beside it (it reads the registry, so it cannot sit in support/ below it).

describe('analyzer registry', () => {
  it('is sorted by id and every id is unique', () => {
    const ids = ANALYZERS.map((a) => a.meta.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('registers every analyzer file, whose name equals its id, and each has a test', () => {
    const files = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'settings.ts');
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(ANALYZERS.map((a) => a.meta.id));
    for (const a of ANALYZERS)
      expect(existsSync(path.resolve(__dirname, `${a.meta.id}.test.ts`)), `test for ${a.meta.id}`).toBe(true);
  });

  it('documents every threshold with a source, and the threshold names stay stable', () => {
    const names = Object.fromEntries(ANALYZERS.map((a) => [a.meta.id, Object.keys(a.thresholds).sort()]));
    expect(names).toMatchInlineSnapshot(`
      {
        "class-imbalance": [
          "failRecall",
          "minRows",
          "rareShare",
          "significantGap",
          "thinMissChance",
          "warnRecall",
        ],
        "dead-relu": [
          "failLayerFraction",
          "warnLayerFraction",
        ],
        "dropout-rate": [
          "highRate",
        ],
        "exploding-gradients": [
          "growthPerEpoch",
          "maxNorm",
          "warnRatio",
        ],
        "frozen-layers": [],
        "label-noise": [
          "failGap",
          "minSkill",
          "minZ",
          "warnGap",
        ],
        "learning-rate": [
          "failHighLog10",
          "failLowLog10",
          "stalledProgress",
          "warnHighLog10",
          "warnLowLog10",
        ],
        "missing-bias": [],
        "missing-nonlinearity": [
          "failLossRatio",
          "failSkill",
        ],
        "non-finite-values": [
          "maxCount",
        ],
        "oscillating-loss": [
          "changeShare",
          "failSwing",
          "minEpochs",
          "warnSwing",
        ],
        "output-activation": [
          "constantStd",
        ],
        "overfitting": [
          "failRise",
          "minAbsRise",
          "minEpochs",
          "warnGap",
          "warnRise",
        ],
        "saturated-activations": [
          "failLayerFraction",
          "unitFraction",
          "warnLayerFraction",
        ],
        "task-setup": [
          "negativeLoss",
        ],
        "underfitting": [
          "belowNeighbours",
          "failLossRatio",
          "failSkill",
          "neighbourZ",
          "shortRunEpochs",
          "stalledProgress",
          "stillFalling",
          "stoppedFalling",
          "warnLossRatio",
          "warnSkill",
        ],
        "unnormalized-inputs": [
          "failAbs",
          "warnAbs",
        ],
        "vanishing-gradients": [
          "failRatio",
          "learnedLossRatio",
          "tinyMeanAbs",
          "warnRatio",
        ],
      }
    `);
    for (const a of ANALYZERS) {
      for (const [name, t] of Object.entries(a.thresholds)) {
        expect(t.source.length, `${a.meta.id}.${name} source`).toBeGreaterThan(10);
        expect(Number.isFinite(t.default)).toBe(true);
      }
      expect(a.meta.title).not.toBe(a.meta.failureTitle);
    }
  });
});

describe('gate presets come from analyzer metadata', () => {
  it('a new analyzer is gated the moment it is registered: the presets are built from the list, never hand-listed', async () => {
    const { presetsFor } = await import('../../src/gate/presets.js');
    const made = presetsFor([
      { meta: { id: 'zz-new', gateLevel: 'warn' } },
      { meta: { id: 'aa-new', gateLevel: 'error' } },
    ]);
    expect(made.recommended).toEqual({ 'zz-new': 'warn', 'aa-new': 'error' });
    expect(made.strict).toEqual({ 'zz-new': ['error', { minScore: 0.9 }], 'aa-new': ['error', { minScore: 0.9 }] });
    expect(made.none).toEqual({});
  });

  it('recommended gates each registered analyzer at the level its file declares (pinned: a change of level is a decision)', async () => {
    const { PRESETS } = await import('../../src/gate/presets.js');
    expect(Object.keys(PRESETS.recommended).sort()).toEqual(ANALYZERS.map((a) => a.meta.id));
    expect(PRESETS.recommended).toMatchInlineSnapshot(`
      {
        "class-imbalance": "error",
        "dead-relu": "error",
        "dropout-rate": "error",
        "exploding-gradients": "error",
        "frozen-layers": "error",
        "label-noise": "error",
        "learning-rate": "error",
        "missing-bias": "error",
        "missing-nonlinearity": "error",
        "non-finite-values": "error",
        "oscillating-loss": "error",
        "output-activation": "error",
        "overfitting": "error",
        "saturated-activations": "error",
        "task-setup": "error",
        "underfitting": "error",
        "unnormalized-inputs": "warn",
        "vanishing-gradients": "error",
      }
    `);
  });
});
