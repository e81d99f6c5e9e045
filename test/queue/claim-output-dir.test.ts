import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { claimOutputDir, runIdFor, specHash, type RunOwner } from '../../src/queue/job-identity.js';

// Lets a test make the owner record's write fail once, as a worker SIGKILLed at that moment would leave it.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, writeFile: vi.fn(actual.writeFile) };
});

const owner = (jobId: string): RunOwner => {
  const jobCreatedAt = 1_700_000_000_000;
  return {
    runId: runIdFor('t', jobId, jobCreatedAt),
    prefix: 't',
    jobId,
    jobCreatedAt,
    specHash: specHash({ a: 1 }, '/x'),
  };
};

describe('claimOutputDir: a folder appears with its owner record or not at all', () => {
  it('a claim that dies before recording its owner leaves no folder, so the retry claims it (it was refused: "exists without an owner record")', async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-claim-'));
    const me = owner('7');
    vi.mocked(writeFile).mockRejectedValueOnce(new Error('killed while writing job.json'));
    await expect(claimOutputDir(reports, me)).rejects.toThrow(/killed/);
    expect(existsSync(path.join(reports, me.runId))).toBe(false);
    const dir = await claimOutputDir(reports, me); // the retry of the same job
    expect(dir).toBe(path.join(reports, me.runId));
    expect(readdirSync(dir)).toEqual(['job.json']);
    expect(readdirSync(reports)).toEqual([me.runId]); // no staging folder left behind
  });

  it('a retry of the same job reuses its folder; another job with the same run id is refused', async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-claim-'));
    const me = owner('8');
    const dir = await claimOutputDir(reports, me);
    await expect(claimOutputDir(reports, me)).resolves.toBe(dir);
    await expect(claimOutputDir(reports, { ...me, specHash: 'other' })).rejects.toThrow(/belongs to another job/);
  });
});
