/**
 * JSON that keeps short objects and arrays on one line: a spec reads in a page instead of three.
 * Every line stays within `width` characters (only a single string longer than that can exceed it), so the
 * printed appendix never has to wrap a line: indentation survives and no token is split.
 */
export function compactJson(value: unknown, width = 96, indent = '', lead = 0): string {
  const flat = JSON.stringify(value);
  if (flat === undefined) return 'null';
  if (lead + flat.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + compactJson(v, width, inner, inner.length + 1)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries
    .map(([k, v]) => {
      const key = `${inner}${JSON.stringify(k)}: `;
      return key + compactJson(v, width, inner, key.length + 1); // +1: the comma after the value
    })
    .join(',\n')}\n${indent}}`;
}
