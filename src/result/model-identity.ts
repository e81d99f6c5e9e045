import type { AuditResult } from './schema.js';

type Model = AuditResult['model'];

const shape = (s: ReadonlyArray<number | null>) => `[${s.map((d) => d ?? '?').join(', ')}]`;
const count = (n: number) => n.toLocaleString('en-US');

/** The first layer that differs in type, output shape or parameters: "layer 2: Dense [?, 16] vs Dense [?, 32]". */
function layerDifference(now: Model, base: Model): string | null {
  const text = (l: Model['layers'][number]) => `${l.className} ${shape(l.outputShape)}`;
  if (now.layers.length !== base.layers.length)
    return `${base.layers.length} layers at baseline, ${now.layers.length} now`;
  const i = now.layers.findIndex((l, k) => {
    const b = base.layers[k]!;
    return l.className !== b.className || shape(l.outputShape) !== shape(b.outputShape) || l.params !== b.params;
  });
  if (i < 0) return null;
  return `layer ${i + 1}: ${text(base.layers[i]!)} at baseline, ${text(now.layers[i]!)} now`;
}

/**
 * What makes the baseline a different model from this run, from what both results record: the model's name (a
 * spec's name, a loaded file's), its parameter count, its input shape and its layers. Empty when they match: a
 * comparison across different models would read a change of model as a regression (or hide one).
 *
 * @example modelDifferences(deadRelu, healthy) // ['name healthy at baseline, dead-relu now']
 */
export function modelDifferences(now: AuditResult, base: AuditResult): string[] {
  const a = base.model;
  const b = now.model;
  const out: string[] = [];
  if (a.name !== b.name) out.push(`name ${a.name} at baseline, ${b.name} now`);
  if (a.params !== b.params) out.push(`${count(a.params)} parameters at baseline, ${count(b.params)} now`);
  if (shape(a.inputShape) !== shape(b.inputShape))
    out.push(`input ${shape(a.inputShape)} at baseline, ${shape(b.inputShape)} now`);
  const layers = layerDifference(b, a);
  if (layers) out.push(layers);
  return out;
}
