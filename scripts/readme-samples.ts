/**
 * README samples from the real commands: runs each command below with the built CLI and splices its
 * terminal output between `<!-- sample:NAME -->` and `<!-- /sample:NAME -->` in README.md, so the samples
 * cannot go stale. `--check` writes nothing and exits 1 when README differs (test/readme-samples.test.ts
 * runs it). Samples run on the wasm backend; times are masked when comparing, since they vary per machine.
 *
 *   npm run readme:samples            # rewrite the samples
 *   npm run readme:samples -- --check # exit 1 if README.md is stale
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'nnaudit.js');

export interface Sample { name: string; args: string[] }

/** The samples README.md shows, by marker name: the arguments as a user types them after `nnaudit`. */
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
    return execFileSync(process.execPath, [bin, ...s.args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
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

/** README.md with each sample's block replaced by `outputs[name]`. */
export function splice(readme: string, outputs: Record<string, string>): string {
  let out = readme;
  for (const [name, text] of Object.entries(outputs)) {
    const re = new RegExp(`(<!-- sample:${name} -->\\n)[\\s\\S]*?(<!-- /sample:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- sample:${name} --> ... <!-- /sample:${name} --> block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\`\`\`\n${text.trimEnd()}\n\`\`\`\n${close}`);
  }
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const file = path.join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const outputs = Object.fromEntries(SAMPLES.map((s) => [s.name, runSample(s)]));
  const updated = splice(readme, outputs);
  if (!check) {
    writeFileSync(file, updated);
    process.stdout.write(`README.md: ${SAMPLES.length} samples regenerated\n`);
    return;
  }
  if (mask(updated) === mask(readme)) {
    process.stdout.write('README.md samples are up to date\n');
    return;
  }
  const [a, b] = [mask(readme).split('\n'), mask(updated).split('\n')];
  const i = a.findIndex((line, k) => line !== b[k]);
  process.stderr.write(`README.md samples are stale (run npm run readme:samples). First difference at line ${i + 1}:\n  README: ${a[i]}\n  now:    ${b[i]}\n`);
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
