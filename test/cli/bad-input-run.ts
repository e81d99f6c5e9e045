import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/cli.js';
import { main } from '../../src/cli/main.js';

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak RSS the child reported at exit (null: it did not exit normally). */
  maxRssKib: number | null;
  /** Killed by the watchdog: its RSS passed RSS_KILL_KIB, or it ran past killAfterMs. */
  killed: 'memory' | 'time' | null;
}

/**
 * A child whose RSS passes this is killed at once: a regression must fail its case, not push a shared machine
 * into swap (the issue measured 7 GB for one PNG header). Above the 1 GiB the table asserts, so it never decides a pass.
 */
const RSS_KILL_KIB = 1.5 * 1024 * 1024;

function rssKib(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const HOOK = path.join(ROOT, 'test/helpers/hooks/max-rss.cjs');

/**
 * Runs the built CLI as a child, as a user would, with its peak RSS measured by a preloaded hook (see
 * hooks/max-rss.cjs) and a hard kill after `killAfterMs`, so a case that hangs fails instead of holding the table.
 */
export function runMeasured(
  args: string[],
  opts: { env?: Record<string, string>; rssFile: string; killAfterMs: number },
): Promise<ChildRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', HOOK, BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NNAUDIT_BACKEND: 'cpu', ...opts.env, NNAUDIT_TEST_MAX_RSS_FILE: opts.rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // A case that prints megabytes is itself a failure; keep enough to show it.
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1e6) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1e6) stderr += d.toString();
    });
    let killed: ChildRun['killed'] = null;
    const kill = setTimeout(() => {
      killed = 'time';
      child.kill('SIGKILL');
    }, opts.killAfterMs);
    const watch = setInterval(() => {
      if (child.pid !== undefined && rssKib(child.pid) > RSS_KILL_KIB) {
        killed = 'memory';
        child.kill('SIGKILL');
      }
    }, 100);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      clearInterval(watch);
      const rss = existsSync(opts.rssFile) ? Number(readFileSync(opts.rssFile, 'utf8')) : null;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, maxRssKib: rss, killed });
    });
  });
}

/** Runs `jobs` over `items` with at most `limit` at a time (the machine is shared: two or three, not all). */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  maxRssKib: number | null;
}

/**
 * The peak RSS of this process since the last reset (KiB). Linux resets the high-water mark when "5" is written
 * to /proc/self/clear_refs, so each in-process case gets its own peak; elsewhere it is the process's lifetime
 * peak (process.resourceUsage().maxRSS), an upper bound.
 */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: peakRssKib() falls back to the lifetime peak
  }
}
function peakRssKib(): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/**
 * Runs the CLI's main() in this process with stdout/stderr captured and process.exit trapped: 170 cases
 * as child processes would each pay Node's and tfjs's start-up on a busy 2-core machine (25 minutes, not 2).
 * Only for inputs that cannot block or bomb: a FIFO opened here would stop the test process itself.
 */
export async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<InProcessRun> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const exit = process.exit;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  process.exit = ((code?: number) => {
    throw new ExitCalled(code ?? 0);
  }) as typeof process.exit;
  Object.assign(process.env, env);
  process.exitCode = undefined;
  let code: number | undefined;
  const started = Date.now();
  resetPeakRss();
  try {
    await main(args);
  } catch (e) {
    if (e instanceof ExitCalled) code = e.code;
    else stderr += `UNCAUGHT ${e instanceof Error ? e.stack : String(e)}`;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exit = exit;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const result = {
    code: code ?? (typeof process.exitCode === 'number' ? process.exitCode : 0),
    stdout,
    stderr,
    ms: Date.now() - started,
    maxRssKib: peakRssKib(),
  };
  process.exitCode = undefined;
  return result;
}
