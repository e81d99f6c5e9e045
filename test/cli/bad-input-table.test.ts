import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { STACK_LINE } from '../helpers/cli.js';
import { ISSUE24_CASES, drip } from './bad-input-bombs.js';
import { ALL_CASES as BASE_CASES, type BadInputCase } from './bad-input-cases.js';
import { pool, runInProcess, runMeasured } from './bad-input-run.js';

/** NNAUDIT_BAD_INPUT_FILTER (a regex on case names) runs part of the table while working on it. */
const FILTER = process.env['NNAUDIT_BAD_INPUT_FILTER'] ? new RegExp(process.env['NNAUDIT_BAD_INPUT_FILTER']) : null;
const ALL_CASES: BadInputCase[] = [...BASE_CASES, ...ISSUE24_CASES].filter((c) => !FILTER || FILTER.test(c.name));

/** Files that look like an audit's output: none may appear for bad input. */
const RESULT_LIKE = /^(result\.json|report\.html|report\.pdf|artifacts\.json|junit.*\.xml)$/;
function resultLikeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && RESULT_LIKE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/**
 * Bounds every case must stay within. Generous on purpose (a shared 2-core machine): they catch a hang or a
 * bomb, not a slowdown. Peak RSS: a child case's is read by a hook preloaded into the CLI child
 * (test/helpers/hooks/max-rss.cjs, process.resourceUsage().maxRSS at exit); an in-process case's is this
 * process's high-water mark, reset before the case (/proc/self/clear_refs, see bad-input-run.ts).
 */
const MAX_MS = 60_000;
const MAX_RSS_KIB = 1024 * 1024;
const MAX_MESSAGE_CHARS = 500;
/** Children at once (beside the in-process cases): each pays Node's and tfjs's start-up, and others share the cores. */
const CONCURRENCY = 2;

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
  maxRssKib: number | null;
  killed: 'memory' | 'time' | null;
  dir: string;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-bad-table-'));
const runs: Run[] = [];
let server: Server;

describe(`bad input table (${ALL_CASES.length} cases): exit 2, one clear line naming the field or file, bounded time and memory, nothing written`, () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    // A model server that sends its headers, then one byte a second, forever: only a whole-body deadline ends it.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    drip.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const started = Date.now();
    const run = async (c: BadInputCase, i: number): Promise<void> => {
      const dir = path.join(tmp, `case-${i}`);
      mkdirSync(dir);
      const args = await c.args(dir);
      const r = c.child
        ? await runMeasured(args, {
            env: c.env ?? {},
            rssFile: path.join(tmp, `rss-${i}`),
            killAfterMs: MAX_MS + 30_000,
          })
        : { ...(await runInProcess(args, { NNAUDIT_BACKEND: 'cpu', ...c.env })), killed: null };
      if (process.env['NNAUDIT_SHOW_MESSAGES'])
        process.stdout.write(`${c.name}\n  ${r.stderr.trim().replace(/\n/g, '\n  ')}\n`);
      runs[i] = { ...r, dir };
    };
    const indexed = ALL_CASES.map((c, i) => [c, i] as const);
    // In-process cases one at a time (they share stdout and process.exit), children beside them, two at a time.
    await Promise.all([
      pool(
        indexed.filter(([c]) => !c.child),
        1,
        ([c, i]) => run(c, i),
      ),
      pool(
        indexed.filter(([c]) => c.child),
        CONCURRENCY,
        ([c, i]) => run(c, i),
      ),
    ]);
    const worst = (key: 'ms' | 'maxRssKib') =>
      runs.reduce((w, r, i) => ((r[key] ?? 0) > (runs[w]![key] ?? 0) ? i : w), 0);
    const rss = worst('maxRssKib');
    const slow = worst('ms');
    // One line for the log: how many cases, and how close the worst came to the bounds.
    process.stdout.write(
      `bad-input table: ${runs.length} cases in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `max peak RSS ${((runs[rss]!.maxRssKib ?? 0) / 1024).toFixed(0)} MiB (${ALL_CASES[rss]!.name}); ` +
        `max time ${(runs[slow]!.ms / 1000).toFixed(1)} s (${ALL_CASES[slow]!.name})\n`,
    );
  }, 30 * 60_000);
  afterAll(() => {
    server?.close();
    server?.closeAllConnections();
    rmSync(tmp, { recursive: true, force: true });
  });

  it.skipIf(FILTER)('holds at least 160 cases', () => expect(ALL_CASES.length).toBeGreaterThanOrEqual(160));
  it.each(ALL_CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const r = runs[i]!;
    const message = r.stderr.trim();
    expect(r.killed, `killed for ${r.killed}: ${message.slice(0, 300)}`).toBeNull();
    expect(message).toMatch(c.expect);
    expect(r.code, message).toBe(2);
    expect(message).not.toMatch(STACK_LINE);
    expect(message).not.toMatch(
      /UNCAUGHT|HDF5-DIAG|Maximum call stack|circular structure|Invalid (typed array|string) length|ENOENT/,
    );
    // One line, save the schema's list of fields ("  - model.train.layers.0.units: ..."), yargs' pointer to --help
    // and the worker's start-up note; and short.
    const lines = message
      .split('\n')
      .filter((l) => !/^ {2}- /.test(l) && !/^Run 'nnaudit <command> --help'/.test(l) && !/^nnaudit worker: /.test(l));
    expect(lines, message).toHaveLength(1);
    expect(message.length, message).toBeLessThan(MAX_MESSAGE_CHARS);
    if (c.secret) expect(message).not.toContain(c.secret);
    expect(r.ms, `took ${r.ms} ms`).toBeLessThan(MAX_MS);
    expect(r.maxRssKib, 'no RSS reading: the child did not exit normally').not.toBeNull();
    expect(r.maxRssKib!, `peak RSS ${r.maxRssKib} KiB`).toBeLessThan(MAX_RSS_KIB);
    expect(resultLikeFiles(r.dir)).toEqual([]);
  });
});
