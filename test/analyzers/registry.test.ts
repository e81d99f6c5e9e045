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
    for (const a of ANALYZERS) expect(existsSync(path.resolve(__dirname, `${a.meta.id}.test.ts`)), `test for ${a.meta.id}`).toBe(true);
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
  it('every registered analyzer is gated by recommended at its declared level and by strict', async () => {
    const { PRESETS } = await import('../../src/gate/presets.js');
    for (const a of ANALYZERS) {
      expect(['error', 'warn'], a.meta.id).toContain(a.meta.gateLevel);
      expect(PRESETS.recommended[a.meta.id], a.meta.id).toBe(a.meta.gateLevel);
      expect(PRESETS.strict[a.meta.id], a.meta.id).toEqual(['error', { minScore: 0.9 }]);
    }
    expect(Object.keys(PRESETS.recommended).sort()).toEqual(ANALYZERS.map((a) => a.meta.id));
  });
});
