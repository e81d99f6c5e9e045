/**
 * Reports get emailed: they must not carry the auditing machine's file layout or raw error text.
 * These turn run metadata into what a reader elsewhere needs.
 */

const PATHISH = /(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"()]+){2,}[\\/]?/g;

/** The backend choice without the loader's error message or the paths it tried ("fastest that loaded"). */
export function publicReason(reason: string): string {
  const bare = reason.replace(/\s*\([^)]*\)/g, '').replace(PATHISH, '…').trim();
  return bare.length ? bare : 'chosen at run time';
}

/** A file location shown as its last two segments: enough to recognise, nothing about the host's layout. */
export function displayPath(p: string): string {
  if (/^[a-z]+:\/\//i.test(p)) {
    try {
      const u = new URL(p);
      return `${u.protocol}//${u.host}${u.pathname}`; // no credentials, no query
    } catch {
      return p;
    }
  }
  if (!/[\\/]/.test(p)) return p;
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.length <= 2 && !/^([\\/]|[A-Za-z]:)/.test(p) ? p : `…/${parts.slice(-2).join('/')}`;
}
