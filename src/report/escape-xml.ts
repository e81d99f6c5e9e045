import { escapeControl } from '../util/terminal-text.js';

/** Escapes text for XML/HTML attributes and content (JUnit files, hand-built SVG). */
export function escapeXml(s: string): string {
  // Control characters are not allowed in XML 1.0 and would reach a CI log raw: escaped as text first.
  return escapeControl(s).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
