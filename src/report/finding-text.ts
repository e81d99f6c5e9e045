import type { Finding } from '../result/schema.js';
import { num } from './number-format.js';

/** Verbs a recommendation's action starts with; a sentence starting otherwise states a fact ("The gradient reaching ..."). */
const ACTION =
  /^(Use|Add|Remove|Lower|Raise|Reduce|Increase|Normalize|Standardize|Fix|Check|Train|Replace|Switch|Consider|Set|Give|Make|Drop|Unfreeze|Revive|Clip|Scale|Change|Try|Put|Keep|Look|Relabel|Collect|Balance|Weight|Resample|Stop|Start|Initialize|Bring|Tame)\b/;

/** Sentences split at ". " before a capital letter, so decimals ("0.48") stay whole. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.;])\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The first thing to change, one sentence, for page 1's list: the recommendation's first sentence that names an
 * action, else its first sentence.
 */
export function firstSentence(text: string): string {
  const all = sentences(text);
  const s = all.find((x) => ACTION.test(x)) ?? all[0] ?? text;
  return s.endsWith(';') ? `${s.slice(0, -1)}.` : s;
}

/**
 * A threshold's source in a few words: the text before the first colon ("ours", "AUTOTRAINER", "the issue /
 * cs231n"). The rest are developer notes (which benchmark, which file) that stay in result.json, not the PDF.
 */
export function shortSource(source: string): string {
  const overridden = /^overridden \(default ([^:]+):/.exec(source);
  if (overridden) return `set by the spec (default ${overridden[1]})`;
  const head = source.split(/[:,(]/)[0]!.trim();
  return head.length > 40 ? `${head.slice(0, 39)}…` : head;
}

/** "Thresholds: failRatio 0.001 (AUTOTRAINER), warnRatio 0.01 (ours)": one line per finding box, or null. */
export function thresholdLine(thresholds: Finding['thresholds']): string | null {
  const entries = Object.entries(thresholds);
  if (entries.length === 0) return null;
  return entries.map(([name, t]) => `${name} ${num(t.value)} (${shortSource(t.source)})`).join(' · ');
}
