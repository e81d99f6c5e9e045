import type { z } from 'zod';

/** Formats zod issues as "path: message (got value)" lines that name the field, value and expectation. */
export function formatZodIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
      const got = valueAt(input, issue.path);
      const gotText = got === undefined ? '' : ` (got ${truncate(JSON.stringify(got))})`;
      return `  - ${path}: ${issue.message}${gotText}`;
    })
    .join('\n');
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function truncate(s: string | undefined): string {
  if (s === undefined) return 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
