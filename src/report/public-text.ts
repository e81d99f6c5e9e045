/**
 * Reports get emailed: they must not carry the auditing machine's file layout or raw error text.
 * These turn run metadata into what a reader elsewhere needs.
 */

import { redactPath } from '../policy/redact.js';

const PATHISH = /(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"()]+){2,}[\\/]?/g;

/** The backend choice without the loader's error message or the paths it tried ("fastest that loaded"). */
export function publicReason(reason: string): string {
  const bare = reason
    .replace(/\s*\([^)]*\)/g, '')
    .replace(PATHISH, '…')
    .trim();
  return bare.length ? bare : 'chosen at run time';
}

/** A file location shown as its file name (a folder as "…"): nothing about the host's layout (src/policy/redact.ts). */
export const displayPath = redactPath;

/** A URL, or a string shaped like a file path (a separator and no spaces, or a leading /, ~ or drive letter). */
const PATH_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[\\/~]|[A-Za-z]:[\\/]|\.\.?[\\/])|^[^\s]*[\\/][^\s]*$/i;

/**
 * Numeric arrays longer than this (inline `data.json` rows and targets) are summarized by their shape: the appendix
 * shows how the audit was set up, and 400 rows of numbers would fill a dozen pages of an e-mailed PDF.
 */
const MAX_DATA_ITEMS = 16;

/** A number, null (a missing value) or an array of them, at any depth. */
function isNumeric(v: unknown): boolean {
  return v === null || typeof v === 'number' || (Array.isArray(v) && v.every(isNumeric));
}

/** "400 rows of 2 values", "400 values". */
function dataShape(rows: unknown[]): string {
  const first = rows[0];
  return Array.isArray(first) ? `${rows.length} rows of ${first.length} values` : `${rows.length} values`;
}

/**
 * A copy of a spec (or any JSON value) with every path-like string shown through displayPath, and long numeric
 * arrays by their shape, for the report's appendix: the spec names the model file and data files by where they sit
 * on the auditing machine.
 * Other strings (layer types, loss names, a description with a "/" between words) are kept as they are.
 */
export function publicSpec(value: unknown): unknown {
  if (typeof value === 'string') return PATH_LIKE.test(value) ? displayPath(value) : value;
  if (Array.isArray(value) && value.length > MAX_DATA_ITEMS && value.every(isNumeric))
    return `(${dataShape(value)}: not shown)`;
  if (Array.isArray(value)) return value.map(publicSpec);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, publicSpec(v)]));
  }
  return value;
}

/**
 * The repository file CI annotations point at: a path inside the checkout ("specs/churn.yaml") is kept, since
 * GitHub and GitLab need it to place the annotation; one outside it (absolute, or "../") is only its file name.
 */
export const ciPath = redactPath;
