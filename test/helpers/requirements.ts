/**
 * Optional parts of the test environment: the ../shared corpus, a Redis server, a Chromium binary.
 * A fresh clone has none of them: tests that need one are skipped with one visible line naming what is
 * missing and how to provide it. CI sets NNAUDIT_REQUIRE_<PART>=1 (or NNAUDIT_REQUIRE_ALL=1), and then a
 * missing part fails the suite instead of skipping it.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';

export type Part = 'shared' | 'redis' | 'chromium';

const HOW: Record<Part, string> = {
  shared: 'put the shared/ folder beside the checkout or set NNAUDIT_SHARED',
  redis: 'start one (redis-server --port 6379 --save "") or set REDIS_URL',
  chromium: 'apt-get install -y chromium, or set PUPPETEER_EXECUTABLE_PATH',
};

/** The shared materials folder: NNAUDIT_SHARED, default ../shared beside the checkout. */
export function sharedDir(): string {
  return path.resolve(process.env['NNAUDIT_SHARED'] ?? path.join(ROOT, '..', 'shared'));
}

/** A path inside the shared folder (it may not exist: check with `requirePart('shared')`). */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}

function required(part: Part): boolean {
  const env = process.env;
  return env['NNAUDIT_REQUIRE_ALL'] === '1' || env[`NNAUDIT_REQUIRE_${part.toUpperCase()}`] === '1';
}

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function redisAnswers(): boolean {
  // Synchronous, so that describe blocks can be skipped at collection time. A tiny child process pings.
  const script =
    `const net=require('node:net');const u=new URL(process.argv[1]);` +
    `const s=net.connect(+(u.port||6379),u.hostname,()=>s.write('PING\\r\\n'));` +
    `s.setTimeout(2000,()=>process.exit(1));s.on('error',()=>process.exit(1));` +
    `s.on('data',d=>{process.exit(/PONG|NOAUTH/.test(String(d))?0:1)});`;
  try {
    execFileSync(process.execPath, ['-e', script, REDIS_URL], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

const CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function chromiumPresent(): boolean {
  const env = process.env['PUPPETEER_EXECUTABLE_PATH'];
  if (env) return existsSync(env);
  return CHROMIUM_PATHS.some((p) => existsSync(p));
}

const cache = new Map<Part, boolean>();

/** Whether the part is here (memoized per test file). */
export function has(part: Part): boolean {
  let v = cache.get(part);
  if (v === undefined) {
    v = part === 'shared' ? existsSync(sharedDir()) : part === 'redis' ? redisAnswers() : chromiumPresent();
    cache.set(part, v);
  }
  return v;
}

/**
 * `describe` that runs only when every part is present. When one is absent it prints one line and skips;
 * when that part is required (CI), it throws at collection so the run fails loudly.
 *
 * @example
 *   describeWith(['redis'], 'queue pipeline', () => { ... });
 */
export function describeWith(parts: Part[], name: string, fn: () => void): void {
  if (process.env['NNAUDIT_TIER'] === 'unit') {
    // The unit tier never uses Redis, a browser or the corpus, even where they are installed.
    process.stdout.write(`[skipped] ${name}: needs ${parts.join(', ')}, not in the unit tier (npm test runs it)\n`);
    describe.skip(name, fn);
    return;
  }
  const missing = parts.filter((p) => !has(p));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const why = missing.map((p) => `${p} (${HOW[p]})`).join('; ');
  const mustRun = missing.filter(required);
  if (mustRun.length) throw new Error(`${name}: required but missing: ${why}`);
  process.stdout.write(`[skipped] ${name}: missing ${why}\n`);
  describe.skip(name, fn);
}

const announced = new Set<string>();

/**
 * `it` for a test that trains a real model: the full tier (npm test) runs it; the unit tier, which trains nothing,
 * skips it and says so once per file.
 *
 * @example
 *   itTrains('a real training with Dropout(0.9) underfits', async () => { ... }, 120_000);
 */
export function itTrains(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (process.env['NNAUDIT_TIER'] !== 'unit') {
    it(name, fn, timeout);
    return;
  }
  const file = expect.getState().testPath ?? 'this file';
  if (!announced.has(file)) {
    announced.add(file);
    process.stdout.write(
      `[skipped] tests that train a model in ${path.basename(file)}: not in the unit tier (npm test runs them)\n`,
    );
  }
  it.skip(name, fn, timeout);
}
