import { describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../helpers/cli.js';

/** Issue 24: `worker --concurrency 1e9` with Redis down hung; a bad count must be refused before anything connects. */
const REDIS_DOWN = { REDIS_URL: 'redis://127.0.0.1:1' };

describe.concurrent('worker --concurrency', () => {
  it.each([['1e9'], ['0'], ['65'], ['1.5'], ['-3']])(
    '--concurrency %s is exit 2 naming the flag and its range, before connecting',
    async (n) => {
      const started = Date.now();
      const r = await runCli(['worker', '--queue', 'audit', '--concurrency', n], { env: REDIS_DOWN });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--concurrency \S+: must be a whole number >= 1 and <= 64/);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr).not.toMatch(/Redis/); // refused before any connection was tried
      expect(Date.now() - started).toBeLessThan(60_000);
    },
    90_000,
  );
});
