import type { Finding } from '../../result/schema.js';
import type { Analyzer } from './define-analyzer.js';

/**
 * Orders analyzers so that each runs after the ones its meta.after names (stable: otherwise registry order).
 * Throws on an unknown id or a cycle: both are programming errors in the registry.
 */
export function runOrder(analyzers: readonly Analyzer[]): Analyzer[] {
  const byId = new Map(analyzers.map((a) => [a.meta.id, a]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: Analyzer[] = [];
  const visit = (a: Analyzer) => {
    if (done.has(a.meta.id)) return;
    if (visiting.has(a.meta.id)) throw new Error(`analyzer ${a.meta.id}: meta.after forms a cycle`);
    visiting.add(a.meta.id);
    for (const dep of a.meta.after ?? []) {
      const d = byId.get(dep);
      if (d) visit(d);
    }
    visiting.delete(a.meta.id);
    done.add(a.meta.id);
    order.push(a);
  };
  analyzers.forEach(visit);
  return order;
}

/**
 * Failures that unnormalized inputs commonly cause (large pre-activations saturate or kill units, blow up
 * gradients and make one learning rate wrong for every feature). The recommended gate only warns on
 * unnormalized-inputs itself, since scale alone harms nothing; when one of these fails beside it, the failure says so.
 */
export const INPUT_SCALE_EFFECTS = new Set([
  'dead-relu',
  'saturated-activations',
  'exploding-gradients',
  'vanishing-gradients',
  'underfitting',
  'oscillating-loss',
  'learning-rate',
  'non-finite-values',
]);

/** Adds "likely cause: unnormalized inputs" to failing effects when unnormalized-inputs holds in the same result. */
export function citeInputScale(findings: Finding[]): Finding[] {
  const cause = findings.find((f) => f.id === 'unnormalized-inputs');
  if (!cause || (cause.status !== 'fail' && cause.status !== 'warn')) return findings;
  const note = `likely cause: the inputs are not normalized (${cause.displayValue}; see unnormalized-inputs)`;
  return findings.map((f) =>
    INPUT_SCALE_EFFECTS.has(f.id) && f.status === 'fail'
      ? {
          ...f,
          displayValue: `${f.displayValue}; ${note}`,
          recommendation:
            `Normalize the inputs first (data.normalize: standardize, or divide pixels by 255): ${note}. ${f.recommendation ?? ''}`.trim(),
        }
      : f,
  );
}
