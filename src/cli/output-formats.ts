import { SpecError } from '../errors.js';
import { OUTPUT_FORMATS, PRINTED_FORMATS, type OutputFormat } from '../report/write-outputs.js';

export { OUTPUT_FORMATS };

export const FORMAT_HELP = `Comma-separated outputs: ${OUTPUT_FORMATS.join(', ')} (files in --out; github prints GitHub Actions annotations; pdf needs Chromium)`;

/** Parses --format: names each unknown output, and asks for --out when a format writes a file. */
export function parseFormats(value: string, opts: { out: string | undefined; json: boolean }): OutputFormat[] {
  const formats = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = formats.filter((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
  if (unknown.length)
    throw new SpecError(`--format ${unknown.join(',')}: unknown output; available: ${OUTPUT_FORMATS.join(', ')}`);
  const typed = formats as OutputFormat[];
  // json without --out is the default run: the summary on the terminal, no file (or the result on stdout with --json).
  const files = typed.filter((f) => !PRINTED_FORMATS.includes(f) && f !== 'json');
  if (files.length && !opts.out) throw new SpecError(`--format ${files.join(',')} writes files: give --out <folder>`);
  if (opts.json && typed.includes('github'))
    throw new SpecError(
      '--format github prints annotations on stdout, where --json prints the result: use one of them',
    );
  return typed;
}
