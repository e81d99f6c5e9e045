/**
 * A user's string (a spec `name`, a queue label, a failure reason) made safe to print: control characters
 * (ANSI escapes, newlines, carriage returns, NUL, DEL, C1 controls, bidi overrides) are shown as \u escapes,
 * so a name cannot recolour the terminal, forge extra lines in `jobs` or a report, or hide text. The one
 * helper every printing of a user string goes through (terminal summary, jobs/status, reports).
 *
 * @example
 *   escapeControl('a\u001b[31mred\nline') // 'a\\u001b[31mred\\u000aline'
 */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
