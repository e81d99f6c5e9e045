/** JSON that keeps short objects and arrays on one line: a spec reads in a page instead of three. */
export function compactJson(value: unknown, width = 96, indent = ''): string {
  const flat = JSON.stringify(value);
  if (flat === undefined) return 'null';
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  // List items (layers, mostly) get a wider budget: one layer per line reads better than one key per line.
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + compactJson(v, Math.max(width, 170), inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, width, inner)}`).join(',\n')}\n${indent}}`;
}
