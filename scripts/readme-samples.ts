/**
 * README and docs samples from the real commands: runs each command below with the built CLI and splices its
 * terminal output between `<!-- sample:NAME -->` and `<!-- /sample:NAME -->` in whichever file holds that
 * block: README.md or a page in docs/ (each sample's block is in exactly one of them), so the samples cannot
 * go stale. `--check` writes nothing and exits 1 when a file differs (test/readme-samples.test.ts runs it).
 * Samples run on the wasm backend; times are masked when comparing, since they vary per machine.
 *
 *   npm run readme:samples            # rewrite the samples
 *   npm run readme:samples -- --check # exit 1 if README.md or a docs page is stale
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'nnaudit.js');

export interface Sample {
  name: string;
  args: string[];
}

/** The samples README.md and docs/*.md show, by marker name: the arguments as a user types them after `nnaudit`. */
export const SAMPLES: Sample[] = [
  { name: 'demo', args: ['demo', '--out', 'out', '--quiet'] },
  { name: 'audit-dead-relu', args: ['audit', path.join(root, 'fixtures/specs/dead-relu.json'), '--quiet'] },
];

/** Runs a sample in a scratch folder (demo writes out/ there) and returns its stdout; exit codes 0 and 1 are both outcomes. */
export function runSample(s: Sample): string {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-readme-'));
  try {
    // One backend everywhere: tfjs-node (optional) and wasm may differ in the last digits of a measurement.
    const env = { ...process.env, NNAUDIT_BACKEND: 'wasm' };
    return execFileSync(process.execPath, [bin, ...s.args], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (err.status === 1 && err.stdout) return err.stdout;
    throw new Error(`nnaudit ${s.args.join(' ')} failed (exit ${err.status}): ${err.stderr ?? ''}`);
  }
}

/** Hides what varies between machines and runs: durations and the backend tfjs picked. */
export function mask(text: string): string {
  return text
    .replace(/\((trained|loaded), \w+ backend, [\d.]+ s\)/g, '($1, <backend>, <time>)')
    .replace(/ +\d+(\.\d+)?s$/gm, ' <time>');
}

/** The files that may hold samples, relative to `dir`: README.md, then every docs/*.md. */
export function sampleFiles(dir: string = root): string[] {
  const docs = path.join(dir, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...pages];
}

/**
 * Which file holds each named sample's block, given the files' texts. Throws when a sample has no block or
 * more than one, or when a block names no sample: a sample moved to another page keeps working, a typo does not.
 */
export function locateSamples(texts: Record<string, string>, names: readonly string[]): Record<string, string> {
  const found = new Map<string, string[]>();
  for (const [file, text] of Object.entries(texts)) {
    for (const m of text.matchAll(/<!-- sample:([\w-]+) -->/g)) found.set(m[1]!, [...(found.get(m[1]!) ?? []), file]);
  }
  for (const [name, files] of found) {
    if (!names.includes(name))
      throw new Error(
        `${files.join(', ')}: <!-- sample:${name} --> names no sample in scripts/readme-samples.ts (SAMPLES)`,
      );
  }
  const where: Record<string, string> = {};
  for (const name of names) {
    const files = found.get(name) ?? [];
    if (files.length === 0)
      throw new Error(
        `no <!-- sample:${name} --> ... <!-- /sample:${name} --> block in ${Object.keys(texts).join(', ')}`,
      );
    if (files.length > 1) throw new Error(`<!-- sample:${name} --> appears in ${files.join(' and ')}: keep one`);
    where[name] = files[0]!;
  }
  return where;
}

/** `text` (README.md or a docs page, named `file` in errors) with each sample's block replaced by `outputs[name]`. */
export function splice(text: string, outputs: Record<string, string>, file = 'README.md'): string {
  let out = text;
  for (const [name, sample] of Object.entries(outputs)) {
    const re = new RegExp(`(<!-- sample:${name} -->\\n)[\\s\\S]*?(<!-- /sample:${name} -->)`);
    if (!re.test(out)) throw new Error(`${file} has no <!-- sample:${name} --> ... <!-- /sample:${name} --> block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\`\`\`\n${sample.trimEnd()}\n\`\`\`\n${close}`);
  }
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = sampleFiles();
  const texts = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
  const where = locateSamples(
    texts,
    SAMPLES.map((s) => s.name),
  ); // before running anything: a missing block fails at once
  const outputs = Object.fromEntries(SAMPLES.map((s) => [s.name, runSample(s)]));
  const holders = [...new Set(Object.values(where))];
  const stale: string[] = [];
  for (const file of holders) {
    const mine = Object.fromEntries(Object.entries(outputs).filter(([name]) => where[name] === file));
    const text = texts[file]!;
    const updated = splice(text, mine, file);
    if (!check) {
      if (updated !== text) writeFileSync(path.join(root, file), updated);
      continue;
    }
    if (mask(updated) === mask(text)) continue;
    const [a, b] = [mask(text).split('\n'), mask(updated).split('\n')];
    const i = a.findIndex((line, k) => line !== b[k]);
    stale.push(
      `${file} samples are stale (run npm run readme:samples). First difference at line ${i + 1}:\n  ${file}: ${a[i]}\n  now: ${b[i]}\n`,
    );
  }
  if (!check) {
    process.stdout.write(`${SAMPLES.length} samples regenerated in ${holders.join(', ')}\n`);
    return;
  }
  if (stale.length === 0) {
    process.stdout.write(`samples are up to date (${holders.join(', ')})\n`);
    return;
  }
  process.stderr.write(stale.join(''));
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
