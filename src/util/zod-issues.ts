import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Formats zod issues as "path: message (got value)" lines that name the field, value and expectation. */
export function formatZodIssues(error: z.ZodError, input: unknown): string {
  const all = flatten(error.issues as Issue[], []);
  // A document of the wrong kind fails on every field: the first few say so, a count says the rest.
  const more = all.length > MAX_ISSUES ? [`  - and ${all.length - MAX_ISSUES} more`] : [];
  return all
    .slice(0, MAX_ISSUES)
    .map(({ issue, path }) => {
      const where = path.length ? path.map(String).join('.') : '(root)';
      const got = valueAt(input, path);
      const gotText = got === undefined || issue.code === 'unrecognized_keys' ? '' : ` (got ${preview(got)})`;
      return `  - ${where}: ${issue.message}${gotText}`;
    })
    .concat(more)
    .join('\n');
}

/** Issues listed in one message: enough to fix a spec, short enough for a terminal and a job status. */
const MAX_ISSUES = 5;

/**
 * A union ("train" or "load", "generator" or "csv" or "json") fails as one vague "Invalid input".
 * Report the branch the user evidently meant: the one with the fewest structural mismatches
 * (unknown or missing keys at the union's own level), then the fewest issues.
 */
function flatten(issues: Issue[], prefix: PropertyKey[]): Array<{ issue: Issue; path: PropertyKey[] }> {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const structural = (branch: Issue[]) =>
        branch.filter(
          (i) =>
            i.code === 'unrecognized_keys' ||
            (i.code === 'invalid_type' && i.path.length <= 1 && /received undefined/.test(i.message)),
        ).length;
      const best = [...issue.errors].sort((a, b) => structural(a) - structural(b) || a.length - b.length)[0]!;
      return flatten(best, path);
    }
    return [{ issue, path }];
  });
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** A short rendering of a value: a large one is described by its size, never stringified whole (100 MB of inline rows). */
function preview(v: unknown): string {
  if (Array.isArray(v) && v.length > 20) return `an array of ${v.length} items`;
  if (typeof v === 'string') return truncate(JSON.stringify(v.length > 80 ? v.slice(0, 80) : v));
  try {
    return truncate(JSON.stringify(v));
  } catch {
    return 'a value that cannot be shown';
  }
}

function truncate(s: string | undefined): string {
  if (s === undefined) return 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
