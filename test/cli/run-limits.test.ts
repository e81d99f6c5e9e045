import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runLimits } from '../../src/cli/run-limits.js';
import { ROOT, runCli, STACK_LINE } from '../helpers/cli.js';

/** limits.timeoutSeconds and limits.memoryMb mean on the command line what they mean under a worker. */
describe('runLimits: the time and memory limits of a CLI run', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('the time limit: check() throws at the first progress step after the deadline, naming the key and the epoch', () => {
    vi.useFakeTimers();
    const limits = runLimits({ timeoutSeconds: 1 });
    limits.check({ phase: 'train', epoch: 37, epochs: 400 });
    vi.advanceTimersByTime(999);
    expect(() => limits.check()).not.toThrow();
    vi.advanceTimersByTime(1);
    expect(() => limits.check({ phase: 'train', epoch: 38, epochs: 400 })).toThrow(
      /^time limit of 1 s \(limits\.timeoutSeconds\) reached at epoch 37 of 400: the audit stopped; raise limits\.timeoutSeconds/,
    );
    expect(limits.error()?.message).toMatch(/time limit of 1 s/);
    limits.dispose();
  });

  it('the memory limit: the resident size is watched in-process', () => {
    vi.useFakeTimers();
    const rss = vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(200 * 1048576);
    const limits = runLimits({ memoryMb: 512 });
    vi.advanceTimersByTime(1000);
    expect(() => limits.check()).not.toThrow();
    rss.mockReturnValue(600 * 1048576);
    vi.advanceTimersByTime(250);
    expect(() => limits.check()).toThrow(
      /memory limit of 512 MiB \(limits\.memoryMb\) exceeded: 600 MiB resident: the audit stopped/,
    );
    limits.dispose();
  });

  it('no limits, no stop', () => {
    vi.useFakeTimers();
    const limits = runLimits(undefined);
    vi.advanceTimersByTime(3_600_000);
    expect(() => limits.check()).not.toThrow();
    expect(limits.error()).toBeNull();
  });
});

describe("nnaudit audit honours the spec's limits (exit 2, the key named)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-limits-'));
  const iris = (limits: Record<string, number>) => {
    const spec = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/specs/iris.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const file = path.join(dir, `iris-${Object.keys(limits).join('-')}.json`);
    writeFileSync(file, JSON.stringify({ ...spec, limits }));
    return file;
  };

  it.each([
    // 2,000 epochs take far longer than 1 s anywhere: the run must stop, not train them all.
    ['timeoutSeconds: 1', { timeoutSeconds: 1 }, /time limit of 1 s \(limits\.timeoutSeconds\) reached/],
    // A Node process with TensorFlow.js loaded holds well over 128 MiB (the lowest memoryMb the schema allows).
    ['memoryMb: 128', { memoryMb: 128 }, /memory limit of 128 MiB \(limits\.memoryMb\) exceeded/],
  ])(
    'iris with %s',
    async (_name, limits, message) => {
      const out = path.join(dir, 'out');
      const r = await runCli(['audit', iris(limits), '--epochs', '2000', '--out', out, '-q']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
    },
    120_000,
  );
});
