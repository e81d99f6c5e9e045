import { ANALYZER_IDS, findAnalyzer } from './index.js';
import { SpecError } from '../errors.js';

// Lives beside the registry, not in the analyze stage: loading a spec checks its analyzers section against
// the registry, and config must not import the stage that imports config.

/** Per analyzer id: false disables it; an object overrides thresholds by name. */
export type AnalyzerSettings = Record<string, false | Record<string, number>>;

/** Rejects unknown analyzer ids and threshold names: a typo must not silently keep the default. */
export function validateAnalyzerSettings(settings: AnalyzerSettings, where = 'analyzers'): void {
  for (const [id, value] of Object.entries(settings)) {
    const analyzer = findAnalyzer(id);
    if (!analyzer) throw new SpecError(`${where}.${id}: unknown analyzer; known: ${ANALYZER_IDS.join(', ')}`);
    if (value === false) continue;
    for (const [name, v] of Object.entries(value)) {
      if (!(name in analyzer.thresholds)) {
        throw new SpecError(
          `${where}.${id}.${name}: unknown threshold; ${id} has: ${Object.keys(analyzer.thresholds).join(', ')}`,
        );
      }
      if (!Number.isFinite(v)) throw new SpecError(`${where}.${id}.${name}: must be a finite number (got ${v})`);
    }
  }
}
