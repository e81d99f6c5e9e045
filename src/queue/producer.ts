import { createHash } from 'node:crypto';
import path from 'node:path';
import { Job, type Queue, type QueueEvents } from 'bullmq';
import { loadSpecFile, validateSpec } from '../config/load-spec.js';
import type { Spec, SpecInput } from '../config/spec-schema.js';
import { auditJobSchema, type AuditJobData, type AuditPointer } from './job-data.js';
import { openQueue, openQueueEvents, withQueue } from './queues.js';
import { queueSettings, type QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';

export interface EnqueueOptions {
  email?: string[];
  formats?: Array<'html' | 'pdf'>;
  /** Use a content hash of the job: enqueueing the same spec again while one is pending adds nothing. */
  dedupe?: boolean;
  baseDir?: string;
  /** Names the job's runs (history, report folders); default: the spec's name, else its file name, else "audit". */
  label?: string;
  settings?: QueueSettings;
}

export interface Enqueued {
  jobId: string;
  /** true when --dedupe found the same audit already pending. */
  deduplicated: boolean;
}

/** Builds the audit job data from a spec file or object: validated here, so a bad spec never reaches a worker. */
export function auditJobData(spec: string | SpecInput | Spec, opts: EnqueueOptions = {}): AuditJobData {
  const loaded = typeof spec === 'string'
    ? loadSpecFile(spec)
    : { spec: validateSpec(spec), baseDir: path.resolve(opts.baseDir ?? process.cwd()), file: null };
  const label = opts.label ?? loaded.spec.name ?? (loaded.file ? path.basename(loaded.file).replace(/\.(json|ya?ml)$/i, '') : 'audit');
  const data = { spec: JSON.parse(JSON.stringify(loaded.spec)) as Record<string, unknown>, baseDir: loaded.baseDir, label, email: opts.email ?? [], formats: opts.formats ?? ['html', 'pdf'] };
  const parsed = auditJobSchema.safeParse(data);
  if (!parsed.success) throw new UserInputError('config', `invalid job options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return data;
}

/**
 * Adds an audit to the queue and returns its job id; `waitForAudit` follows it to the verdict.
 *
 * @example
 *   const { jobId } = await enqueueAudit('specs/churn.json', { email: ['ml-team@example.com'] });
 *   const pointer = await waitForAudit(jobId);   // { verdict: 'FAIL', exitCode: 1, resultPath, ... }
 */
export async function enqueueAudit(spec: string | SpecInput | Spec, opts: EnqueueOptions = {}): Promise<Enqueued> {
  const settings = opts.settings ?? queueSettings();
  const data = auditJobData(spec, opts);
  const dedupeId = opts.dedupe ? `h${createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 32)}` : undefined;
  return withQueue('audit', settings, async (queue) => {
    // BullMQ keeps the deduplication key until the job completes or fails: "pending" is exactly that window.
    const pending = dedupeId ? await queue.getDeduplicationJobId(dedupeId) : null;
    const job = await queue.add('audit', data, dedupeId ? { deduplication: { id: dedupeId } } : {});
    return { jobId: job.id!, deduplicated: pending !== null && pending === job.id };
  });
}

export interface AuditProgress { phase: string; epoch: number; epochs: number; loss?: number | null }

/** Waits for an audit job to finish (following its progress), returning its pointer; a failed job throws with its reason. */
export async function waitForAudit(jobId: string, opts: { settings?: QueueSettings; onProgress?: (p: AuditProgress) => void; timeoutMs?: number } = {}): Promise<AuditPointer> {
  const settings = opts.settings ?? queueSettings();
  const queue = openQueue('audit', settings);
  const events: QueueEvents = openQueueEvents('audit', settings);
  try {
    await events.waitUntilReady();
    const job = await Job.fromId(queue, jobId);
    if (!job) throw new UserInputError('queue', `no audit job ${jobId} (finished jobs are kept ${Math.round(settings.keepSeconds / 86400)} days)`);
    if (opts.onProgress) {
      events.on('progress', ({ jobId: id, data }) => { if (id === jobId && typeof data === 'object') opts.onProgress!(data as unknown as AuditProgress); });
    }
    return (await waitForJob(queue, job, events, opts.timeoutMs)) as AuditPointer;
  } finally {
    await events.close();
    await queue.close();
  }
}

/** How often waitForJob also reads the job's state itself. */
export const FINISH_POLL_MS = 2000;

/**
 * The job's return value once it completes; throws its failure reason once it fails. Listens to the queue's events
 * and also reads the job's state every FINISH_POLL_MS: QueueEvents can miss a job that finishes while its stream is
 * still being opened, and BullMQ's waitUntilFinished alone then waits forever (its maintainers advise against relying
 * on it alone). CI saw it: `enqueue --wait` of a job that failed at once never exited.
 */
export async function waitForJob(queue: Queue, job: Job, events: QueueEvents, timeoutMs?: number, pollMs = FINISH_POLL_MS): Promise<unknown> {
  const polling = { on: true };
  const byEvents = job.waitUntilFinished(events, timeoutMs);
  const byState = finishedState(queue, job.id!, polling, pollMs);
  // The loser settles later (closing the events rejects it): nobody awaits it.
  byEvents.catch(() => undefined);
  byState.catch(() => undefined);
  try {
    return await Promise.race([byEvents, byState]);
  } finally {
    polling.on = false;
  }
}

async function finishedState(queue: Queue, jobId: string, polling: { on: boolean }, pollMs: number): Promise<unknown> {
  while (polling.on) {
    await new Promise((ok) => setTimeout(ok, pollMs).unref());
    if (!polling.on) break;
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') {
      const now = await Job.fromId(queue, jobId);
      if (state === 'failed') throw new Error(now?.failedReason ?? 'the job failed');
      return now?.returnvalue;
    }
  }
  // Stopped: the events answered first. Never settles.
  return new Promise(() => undefined);
}
