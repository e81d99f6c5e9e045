import { describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../helpers/cli.js';

describe('--limit of jobs and history is checked before Redis sees it', () => {
  it.each([
    [['jobs', '--limit', 'abc'], /--limit \(not a number\): give a whole number of at least 1/],
    [['jobs', '--limit', '0'], /--limit 0: give a whole number of at least 1/],
    [['history', 'nightly', '--limit', '2.5'], /--limit 2.5: give a whole number of at least 1/],
  ])(
    '%j exits 2 naming the flag (Redis said "ERR value is not an integer or out of range script: ...")',
    async (args, message) => {
      const r = await runCli(args, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/ERR value|script/);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(2);
    },
    60_000,
  );
});
