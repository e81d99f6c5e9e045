import { currentPolicy, readSamples } from './input-policy.js';

/**
 * Quotes a value read from an input for an error message: verbatim on the CLI (the user's own file),
 * only its length under a worker, where the reader of the message may not be allowed to read the file.
 */
export function quoteInput(value: string): string {
  if (currentPolicy().redactContent) return `(${value.length} characters, not shown)`;
  // A 1 MB cell quoted whole would be a 1 MB message: the start says which value it is.
  return value.length > QUOTE_CHARS
    ? `${JSON.stringify(value.slice(0, QUOTE_CHARS))}... (${value.length} characters)`
    : JSON.stringify(value);
}

/** Characters of a value quoted on the CLI, and of a list shown: enough to recognise it, short enough for one line. */
const QUOTE_CHARS = 40;
const SHOW_CHARS = 160;

/** Like quoteInput, but shown bare on the CLI (lists such as a CSV header); control characters escaped. */
export function showInput(value: string): string {
  if (currentPolicy().redactContent) return `(${value.length} characters, not shown)`;
  const shown = JSON.stringify(value.length > SHOW_CHARS ? value.slice(0, SHOW_CHARS) : value).slice(1, -1);
  return value.length > SHOW_CHARS ? `${shown}... (${value.length} characters)` : shown;
}

/** A parse error message, or under a worker only the position (the parser's message quotes the text). */
export function parseErrorText(e: unknown, kind: 'JSON' | 'CSV'): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (!currentPolicy().redactContent) return `invalid ${kind}: ${msg}`;
  if (kind === 'JSON') return jsonErrorWhere(e);
  const line = /line (\d+)/i.exec(msg)?.[1];
  return `not a valid CSV${line ? ` (line ${line})` : ''}`;
}

/** A JSON.parse failure as a position, never the text around it ("not valid JSON at byte 0"). */
export function jsonErrorWhere(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(msg)?.[1];
  if (pos !== undefined) return `not valid JSON at byte ${pos}`;
  if (/Unexpected end of JSON input/i.test(msg)) return 'not valid JSON (it ends too early)';
  if (/^Unexpected token/.test(msg) || /is not valid JSON/.test(msg)) return 'not valid JSON at byte 0';
  return 'not valid JSON';
}

/**
 * Defense in depth for failure reasons that leave a worker: any run of 4+ characters of the message (other than a
 * plain lowercase word or a path) that also occurs in bytes this job read is replaced, so a reader that quoted content by mistake still leaks
 * nothing.
 */
export function scrubMessage(message: string, samples: Uint8Array[] = readSamples()): string {
  if (samples.length === 0) return message;
  const bufs = samples.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength));
  return message.replace(/[^\s"'`,;:()[\]{}<>=]{4,}/g, (token) => {
    // A path the message names (the file itself) is ours, not the file's content.
    if (token.startsWith('/') || /^https?:/.test(token)) return token;
    // Plain lowercase words are the message's own English ("column", "label"); content worth hiding
    // (keys, tokens, numbers, mixed case) is what gets replaced.
    if (/^[a-z-]+$/.test(token)) return token;
    return bufs.some((b) => b.includes(token)) ? '[input bytes]' : token;
  });
}

const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;
/** "json:" before a data path, as result.data.source records it (a drive letter "C:" is one character). */
const KIND_PREFIX = /^([A-Za-z][\w+-]+:)(?!\/\/)/;
/** Where the host's layout shows: from the root, the home folder, a drive, or up out of the current folder. */
const LOCAL_START = /^(?:~|[A-Za-z]:)?[\\/]|^~$|^\.\.(?:[\\/]|$)/;

/**
 * A local path as a reader elsewhere may see it: its base name ("result.json", "png" for a folder), since the
 * folders above it name the user, the checkout and the run. A path relative to the current folder or the spec
 * ("data/iris.csv") is the project's own layout and stays. URLs keep their host and path without credentials or
 * query; a file URL is a local path.
 */
export function redactPath(p: string): string {
  if (URL_START.test(p)) {
    try {
      const u = new URL(p);
      if (u.protocol === 'file:') return redactPath(decodeURIComponent(u.pathname));
      return `${u.protocol}//${u.host}${u.pathname}`;
    } catch {
      return '…';
    }
  }
  const prefix = KIND_PREFIX.exec(p)?.[1] ?? '';
  const rest = p.slice(prefix.length);
  if (!LOCAL_START.test(rest)) return p;
  const last = rest
    .split(/[\\/]+/)
    .filter((part) => part && part !== '.' && part !== '..' && part !== '~')
    .pop();
  return `${prefix}${last && !/^[A-Za-z]:$/.test(last) ? last : '…'}`;
}

/**
 * Every local path in a text (a word that starts with /, ~/, ../ or a drive letter and has two parts or more,
 * or any URL) through redactPath: reports, CI annotations and e-mails leave the machine, and a path names the
 * user, the checkout and the run folders. "dense_1/kernel" (no leading separator) is a name, not a path, and stays.
 *
 * @example redactPaths('(--baseline /home/ann/runs/monday/result.json)') // '(--baseline result.json)'
 */
export function redactPaths(text: string): string {
  return text.replace(/[^\s]+/g, (word) => {
    const lead = /^[("'`[<]*/.exec(word)![0];
    const trail = /[)"'`\]>,;:.!?]*$/.exec(word.slice(lead.length))![0];
    const core = word.slice(lead.length, word.length - trail.length);
    const rest = core.slice((KIND_PREFIX.exec(core)?.[1] ?? '').length);
    const local = LOCAL_START.test(rest) && rest.split(/[\\/]+/).filter(Boolean).length >= 2;
    return URL_START.test(core) || local ? `${lead}${redactPath(core)}${trail}` : word;
  });
}
