import type { AssertionSpec } from './assertion-schema.js';
import { ANALYZERS } from '../analyzers/index.js';

import { PRESET_NAMES, type PresetName } from '../result/vocabulary.js';

export { PRESET_NAMES, type PresetName };

/**
 * Built from each analyzer's metadata, never hand-listed, so a new analyzer is gated the moment it is
 * registered.
 * recommended: each analyzer at its declared `gateLevel`: a failing finding at 'error' fails the gate, one at
 * 'warn' is reported but passes (e.g. unnormalized-inputs names a likely cause, while the analyzers of its
 * effects decide whether the model is actually hurt).
 * strict: every analyzer must pass outright (score >= 0.9), so warnings fail the gate too.
 */
export function presetsFor(
  analyzers: ReadonlyArray<{ meta: { id: string; gateLevel: 'error' | 'warn' } }>,
): Record<PresetName, Record<string, AssertionSpec>> {
  return {
    recommended: Object.fromEntries(analyzers.map((a) => [a.meta.id, a.meta.gateLevel])),
    strict: Object.fromEntries(analyzers.map((a) => [a.meta.id, ['error', { minScore: 0.9 }] as AssertionSpec])),
    none: {},
  };
}

export const PRESETS = presetsFor(ANALYZERS);
