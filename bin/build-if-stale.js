// Builds dist/ with tsc when it is missing or older than the TypeScript sources; does nothing otherwise.
//
// Why not a plain `prepare: tsc`: npm runs `prepare` again each time npx links a clone into its cache, so the first
// `npx nnaudit --help` in a fresh clone sat silent for 38-48 s rebuilding what `npm ci` had just built. Here the
// check is a walk over file times (a few ms), the build happens only when needed, and it says so on stderr.
//
// Used by bin/nnaudit.js (before every run), by `prepare` (npm ci, npm pack, installs from a git URL, which need
// dist/ built with the dev dependencies) and by `pretest`/`pretest:unit` (tests run the CLI from dist/). An installed
// package has no src/ (package.json `files`), so it is never rebuilt there.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The file the launcher runs; tsc rewrites every output on each build, so its time is the build's. */
export const ENTRY = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** What tsconfig.json compiles, and the config itself. */
const SOURCES = ['src', 'workers', 'bench', 'scripts'].map((d) => path.join(ROOT, d));
const CONFIGS = ['tsconfig.json'].map((f) => path.join(ROOT, f));

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const dir of SOURCES) if (existsSync(dir)) walk(dir);
  for (const f of CONFIGS) if (existsSync(f)) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

/** 'fresh', 'missing' (no dist/) or 'stale' (a source is newer than the build); an installed package is 'fresh' or 'missing'. */
export function buildState() {
  if (!existsSync(ENTRY)) return 'missing';
  if (!existsSync(path.join(ROOT, 'src'))) return 'fresh';
  return newestSource() > statSync(ENTRY).mtimeMs ? 'stale' : 'fresh';
}

/**
 * Builds when needed. Returns true when dist/ can run. tsc's own output goes to stderr, so a command's stdout (--json)
 * stays clean. Two first runs at once both build; the outputs are the same, so the race costs time, not correctness.
 */
export function ensureBuilt() {
  const state = buildState();
  if (state === 'fresh') return true;
  if (!existsSync(path.join(ROOT, 'src'))) {
    process.stderr.write(`nnaudit: ${path.relative(process.cwd(), ENTRY) || ENTRY} is missing and this copy has no sources to build it from: reinstall nnaudit.\n`);
    return false;
  }
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('nnaudit: not built yet, and TypeScript is not installed to build it: run `npm install` in the nnaudit folder first.\n');
    return false;
  }
  process.stderr.write(state === 'missing' ? 'building nnaudit (first run, ~30 s)...\n' : 'building nnaudit (sources changed since the last build, ~30 s)...\n');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    return true;
  } catch {
    // tsc emits despite type errors: a developer mid-change can still run the CLI; a missing dist/ cannot.
    const ok = existsSync(ENTRY);
    process.stderr.write(ok ? 'nnaudit: the build reported type errors (above); running what it emitted.\n' : 'nnaudit: the build failed (above).\n');
    return ok;
  }
}

// `node bin/build-if-stale.js` (npm's prepare and pretest scripts).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = ensureBuilt() ? 0 : 1;
}
