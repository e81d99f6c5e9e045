import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import type { AuditResult } from '../result/schema.js';

/**
 * Who owns an output folder. BullMQ job ids are counters: they restart when Redis loses its data and
 * repeat across queue prefixes, so a folder is named by a UUID (the run id) and claimed with the job's
 * prefix, id and creation time; a folder owned by anyone else is never written or reused.
 */
export interface RunOwner {
  runId: string;
  prefix: string;
  jobId: string;
  jobCreatedAt: number;
  specHash: string;
}

export const OWNER_FILE = 'job.json';

/**
 * The run id of a queued job: a UUID derived from the queue prefix, the job id and the job's creation time
 * (ms). Derived, not stored, so every attempt of a job, on any worker, after any crash, computes the same
 * one, and two jobs that share a counter id (another prefix, or after Redis lost its data) never do.
 * Formatted as an RFC 9562 version-8 (custom) UUID.
 */
export function runIdFor(prefix: string, jobId: string, jobCreatedAt: number): string {
  const h = createHash('sha256').update(`${prefix}\0${jobId}\0${jobCreatedAt}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** For callers outside the queue (a fresh run id with no job behind it). */
export function newRunId(): string {
  return randomUUID();
}

/** sha256 of what the audit depends on: the spec and the folder its relative paths resolve against. */
export function specHash(spec: unknown, baseDir: string): string {
  return createHash('sha256').update(JSON.stringify({ spec, baseDir })).digest('hex');
}

function readOwner(dir: string): RunOwner | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as RunOwner;
  } catch {
    return null;
  }
}

const sameOwner = (a: RunOwner, b: RunOwner) =>
  a.runId === b.runId &&
  a.prefix === b.prefix &&
  a.jobId === b.jobId &&
  a.jobCreatedAt === b.jobCreatedAt &&
  a.specHash === b.specHash;

/**
 * Claims `<reportsDir>/<runId>/` for this job (first attempt) or confirms it is this job's (a retry).
 * Throws (not retried) when the folder belongs to another job: a reused or forged run id.
 */
export async function claimOutputDir(reportsDir: string, owner: RunOwner): Promise<string> {
  if (!/^[0-9a-f-]{36}$/.test(owner.runId)) throw new UnrecoverableError(`run id ${owner.runId} is not a UUID`);
  const dir = path.join(reportsDir, owner.runId);
  const existing = readOwner(dir);
  if (existing) {
    if (!sameOwner(existing, owner)) {
      throw new UnrecoverableError(
        `output folder ${dir} belongs to another job (${existing.prefix} job ${existing.jobId}); refusing to write or reuse it`,
      );
    }
    return dir;
  }
  if (existsSync(dir))
    throw new UnrecoverableError(`output folder ${dir} exists without an owner record; refusing to write into it`);
  // The folder appears with its owner record or not at all: it is built under a temporary name and renamed into
  // place. Creating it first and writing the record second left, when a worker was SIGKILLed in between, an
  // ownerless folder that every retry of the job refused (seen in the reliability test under load).
  await mkdir(reportsDir, { recursive: true });
  const staging = await mkdtemp(path.join(reportsDir, `.claim-${owner.runId}-`));
  try {
    await writeFile(path.join(staging, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    await rename(staging, dir);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    // Another attempt of the same job won the race: its record decides, as above.
    const winner = readOwner(dir);
    if (winner && sameOwner(winner, owner)) return dir;
    if (winner)
      throw new UnrecoverableError(
        `output folder ${dir} belongs to another job (${winner.prefix} job ${winner.jobId}); refusing to write or reuse it`,
      );
    throw e;
  }
  return dir;
}

/** A retry reuses result.json only when it is this run's (same run id) of this spec (same hash, checked by the claim). */
export function readOwnResult(file: string, runId: string): AuditResult | null {
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as AuditResult;
    return r.run?.id === runId ? r : null;
  } catch {
    return null; // a torn write cannot happen (rename is atomic), but a hand-edited file can: recompute
  }
}
