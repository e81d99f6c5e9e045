// Which finding explains which: a reader acts on the cause, so every output lists and charts it before the
// findings that follow from it, and a symptom's advice defers to it. A leaf (types only), so the audit that
// writes the result and the outputs that read older results apply the same rules.
import type { Finding } from './schema.js';
import { isProblem, statusRank } from './vocabulary.js';

/**
 * Symptom id -> the findings that explain it when they hold, most direct first. A broken network (no gradient,
 * dead or saturated units, a wrong output or task setup, NaNs) makes any model underfit and any update small;
 * more capacity, epochs or a larger learning rate treat the symptom. The analyzers already cite these pairs
 * in their text (learning-rate: "small because the gradients vanish"; vanishing-gradients: "blocked by dead
 * units"; citeInputScale: "likely cause: unnormalized inputs"); this table is the one place that ranks them.
 */
export const EXPLAINED_BY: Readonly<Record<string, readonly string[]>> = {
  underfitting: [
    'task-setup',
    'output-activation',
    'non-finite-values',
    'dead-relu',
    'vanishing-gradients',
    'saturated-activations',
    'exploding-gradients',
    'missing-nonlinearity',
    'frozen-layers',
    'label-noise',
    'unnormalized-inputs',
  ],
  'learning-rate': [
    'non-finite-values',
    'dead-relu',
    'vanishing-gradients',
    'exploding-gradients',
    'unnormalized-inputs',
  ],
  'oscillating-loss': ['non-finite-values', 'exploding-gradients', 'unnormalized-inputs'],
  'vanishing-gradients': ['dead-relu', 'saturated-activations', 'unnormalized-inputs'],
  'exploding-gradients': ['non-finite-values', 'unnormalized-inputs'],
  // The non-finite analyzer names the input scale as the likely cause itself (citeInputScale).
  'non-finite-values': ['unnormalized-inputs'],
  'saturated-activations': ['unnormalized-inputs'],
  'dead-relu': ['unnormalized-inputs'],
  'dropout-rate': [],
};

/** What to do first when a cause holds, in the symptom's box: the cause's own fix, named. */
const FIX_FIRST: Readonly<Record<string, string>> = {
  'vanishing-gradients': 'fix the vanishing gradients first',
  'dead-relu': 'revive the dead ReLU units first',
  'saturated-activations': 'bring the saturated units back into their sensitive range first',
  'exploding-gradients': 'tame the exploding gradients first',
  'non-finite-values': 'remove the NaN/Infinity values first',
  'task-setup': 'make the labels, output layer and loss agree first',
  'output-activation': 'fix the output activation first',
  'missing-nonlinearity': 'add the missing non-linearity first',
  'frozen-layers': 'unfreeze the layers meant to train first',
  'label-noise': 'check the training labels first',
  'unnormalized-inputs': 'normalize the inputs first',
};

/** Why treating the symptom would not help while the cause holds, per symptom. */
const WHY_NOT_SYMPTOM: Readonly<Record<string, string>> = {
  underfitting: 'more capacity, epochs or a different learning rate cannot fit the data through a broken layer',
  'learning-rate':
    'the steps are small or large because of it, and a different learning rate would only move the problem to other layers',
  'oscillating-loss': 'the loss swings because of it',
  'vanishing-gradients': 'the gradient is lost in those units',
  'exploding-gradients': 'the gradients grow because of it',
  'saturated-activations': 'large inputs push the units into their flat range',
  'dead-relu': 'large inputs push the units below zero',
};

/** Where the cause is in the data, not a layer: the symptom's usual reason would point at the wrong thing. */
const WHY_NOT_CAUSE_SYMPTOM: Readonly<Record<string, string>> = {
  'label-noise>underfitting': 'more capacity or epochs would only fit the wrong labels better',
  'unnormalized-inputs>underfitting':
    'more capacity or epochs cannot undo inputs on a scale the layers saturate or die on',
  'task-setup>underfitting': 'no amount of training fits labels the output and loss cannot express',
};

/** "Fix the vanishing gradients first (vanishing-gradients)": what a symptom's reader does first. */
export function fixFirstText(causeId: string): string {
  const text = FIX_FIRST[causeId] ?? `fix ${causeId} first`;
  return `${text[0]!.toUpperCase()}${text.slice(1)} (${causeId}), then audit again.`;
}

/** Symptoms whose own remedies (more capacity, epochs, a different learning rate) a broken cause contradicts. */
const CONTRADICTED_BY_BROKEN_CAUSE = new Set(['underfitting', 'learning-rate']);

/** The start of a deferring recommendation: marks one already rewritten, so the rewrite is idempotent. */
const DEFER_PREFIX = 'Follows from ';

/** The findings that hold (warn or fail) and explain `f`, most direct first; empty for a root cause or a pass. */
export function causesOf(f: Finding, findings: readonly Finding[]): Finding[] {
  if (!isProblem(f.status) || f.status === 'error') return [];
  return (EXPLAINED_BY[f.id] ?? [])
    .map((id) => findings.find((c) => c.id === id))
    .filter((c): c is Finding => c !== undefined && (c.status === 'fail' || c.status === 'warn'));
}

/** The root causes behind `f`: its causes' causes, followed to findings nothing else explains. */
export function rootCausesOf(f: Finding, findings: readonly Finding[], seen = new Set<string>([f.id])): Finding[] {
  const roots: Finding[] = [];
  for (const c of causesOf(f, findings)) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const up = rootCausesOf(c, findings, seen);
    for (const r of up.length ? up : [c]) if (!roots.includes(r)) roots.push(r);
  }
  return roots;
}

/**
 * Findings in reading order: problems that nothing else explains first (worst status first), then the findings
 * that follow from them, then passes and not-applicable ones. Within a group by status, then id, as before.
 */
export function rankByCause(findings: readonly Finding[]): Finding[] {
  const depth = (f: Finding) => (isProblem(f.status) ? (causesOf(f, findings).length ? 1 : 0) : 2);
  return [...findings].sort(
    (a, b) => depth(a) - depth(b) || statusRank(a.status) - statusRank(b.status) || a.id.localeCompare(b.id),
  );
}

/**
 * A symptom's recommendation when a root cause holds: fix the cause first, and why the symptom's own remedies
 * (add capacity, raise the learning rate) would not help. Findings without a held cause are returned unchanged.
 */
export function deferToCauses(findings: readonly Finding[]): Finding[] {
  return findings.map((f) => {
    // The input scale is a likely cause, not a broken layer: a symptom's own advice stays where it helps beside
    // normalizing (clip gradients, a larger batch; citeInputScale puts "normalize the inputs first" in front where
    // the scale explains it). Underfitting's and learning-rate's own remedies (capacity, epochs, a larger learning
    // rate) contradict it, so those defer fully.
    const roots = rootCausesOf(f, findings).filter(
      (c) => c.id !== 'unnormalized-inputs' || CONTRADICTED_BY_BROKEN_CAUSE.has(f.id),
    );
    if (roots.length === 0 || f.recommendation?.startsWith(DEFER_PREFIX)) return f;
    const first = roots[0]!;
    const also = roots.slice(1).map((c) => c.id);
    const why = WHY_NOT_CAUSE_SYMPTOM[`${first.id}>${f.id}`] ?? WHY_NOT_SYMPTOM[f.id] ?? 'it explains this finding';
    return {
      ...f,
      recommendation:
        `${DEFER_PREFIX}${first.id}${also.length ? ` (and ${also.join(', ')})` : ''}: ${FIX_FIRST[first.id] ?? `fix ${first.id} first`}, ` +
        `then audit again (see its box above); ${why}.`,
    };
  });
}
