import { createHash } from 'node:crypto';
import path from 'node:path';
import { Job, type Queue, type QueueEvents } from 'bullmq';
import { loadSpecFile, validateSpec } from '../config/load-spec.js';
import type { Spec, SpecInput } from '../config/spec-schema.js';
import { auditJobSchema, type AuditJobData, type AuditPointer } from './job-data.js';
import { openQueue, openQueueEvents, withQueue } from './queues.js';
import { queueSettings, type QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';
import { isConnectionError, redisWhere, watchRedis, within, type RedisStatus } from './redis-status.js';

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
  const loaded =
    typeof spec === 'string'
      ? loadSpecFile(spec)
      : { spec: validateSpec(spec), baseDir: path.resolve(opts.baseDir ?? process.cwd()), file: null };
  const label =
    opts.label ??
    loaded.spec.name ??
    (loaded.file ? path.basename(loaded.file).replace(/\.(json|ya?ml)$/i, '') : 'audit');
  const data = {
    spec: JSON.parse(JSON.stringify(loaded.spec)) as Record<string, unknown>,
    baseDir: loaded.baseDir,
    label,
    email: opts.email ?? [],
    formats: opts.formats ?? ['html', 'pdf'],
  };
  const parsed = auditJobSchema.safeParse(data);
  if (!parsed.success)
    throw new UserInputError(
      'config',
      `invalid job options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
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
  const dedupeId = opts.dedupe
    ? `h${createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 32)}`
    : undefined;
  return withQueue('audit', settings, async (queue) => {
    // BullMQ keeps the deduplication key until the job completes or fails: "pending" is exactly that window.
    const pending = dedupeId ? await queue.getDeduplicationJobId(dedupeId) : null;
    const job = await queue.add('audit', data, dedupeId ? { deduplication: { id: dedupeId } } : {});
    return { jobId: job.id!, deduplicated: pending !== null && pending === job.id };
  });
}

export interface AuditProgress {
  phase: string;
  epoch: number;
  epochs: number;
  loss?: number | null;
}

/**
 * Waits for an audit job to finish (following its progress), returning its pointer; a failed job throws with its reason.
 * Its connections retry (as a worker's do), so a Redis restart pauses the wait instead of ending it: the job's state is
 * read again once Redis is back. `log` hears one line when Redis goes away and one when it returns.
 */
export async function waitForAudit(
  jobId: string,
  opts: {
    settings?: QueueSettings;
    onProgress?: (p: AuditProgress) => void;
    timeoutMs?: number;
    log?: (line: string) => void;
  } = {},
): Promise<AuditPointer> {
  const settings = opts.settings ?? queueSettings();
  const queue = openQueue('audit', settings, 'worker');
  const events: QueueEvents = openQueueEvents('audit', settings);
  let status: RedisStatus | null = null;
  try {
    await events.waitUntilReady();
    if (opts.log) status = watchRedis(await queue.client, redisWhere(settings.redisUrl), opts.log, 'nnaudit');
    const job = await Job.fromId(queue, jobId);
    if (!job)
      throw new UserInputError(
        'queue',
        `no audit job ${jobId} (finished jobs are kept ${Math.round(settings.keepSeconds / 86400)} days)`,
      );
    if (opts.onProgress) {
      events.on('progress', ({ jobId: id, data }) => {
        if (id === jobId && typeof data === 'object') opts.onProgress!(data as unknown as AuditProgress);
      });
    }
    return (await waitForJob(queue, job, events, opts.timeoutMs)) as AuditPointer;
  } finally {
    status?.quiet();
    // Bounded: closing needs Redis, which may be gone again; the connections are dropped either way.
    await within(events.close(), 2000);
    await within(queue.close(), 2000);
  }
}

/** How often waitForJob also reads the job's state itself. */
export const FINISH_POLL_MS = 2000;

/**
 * The job's return value once it completes; throws its failure reason once it fails. The job's state in Redis is the
 * only source of the outcome: it is read at once, every FINISH_POLL_MS, and whenever the queue's events say this job
 * finished. Events alone miss a job that finishes while their stream is being opened (CI saw `enqueue --wait` never
 * exit), and across a Redis restart they can be missed or the wait can die with the connection ("Connection is
 * closed", 6 of 40 clients in issue 24) although the job completed: a read that fails for want of Redis is retried.
 */
export async function waitForJob(
  queue: Queue,
  job: Job,
  events: QueueEvents,
  timeoutMs?: number,
  pollMs = FINISH_POLL_MS,
): Promise<unknown> {
  const id = job.id!;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let wake: (() => void) | null = null;
  const onFinish = ({ jobId }: { jobId: string }) => {
    if (jobId === id) wake?.();
  };
  events.on('completed', onFinish);
  events.on('failed', onFinish);
  try {
    for (;;) {
      const finished = await finishedState(queue, id);
      if (finished) {
        if (finished.failed !== null) throw new Error(finished.failed);
        return finished.value;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`job ${id} did not finish within ${timeoutMs} ms`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, Math.min(pollMs, left));
        wake = () => {
          clearTimeout(t);
          ok();
        };
      });
      wake = null;
    }
  } finally {
    events.off('completed', onFinish);
    events.off('failed', onFinish);
  }
}

/** The outcome if the job has finished, null if not yet (or if Redis could not be asked just now). */
async function finishedState(queue: Queue, jobId: string): Promise<{ failed: string | null; value: unknown } | null> {
  try {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') {
      throw new UserInputError(
        'queue',
        `job ${jobId} is no longer in Redis (did Redis restart without its data? Run it with appendonly yes: docs/queue.md)`,
      );
    }
    if (state !== 'completed' && state !== 'failed') return null;
    const now = await Job.fromId(queue, jobId);
    return state === 'failed'
      ? { failed: now?.failedReason ?? 'the job failed', value: null }
      : { failed: null, value: now?.returnvalue };
  } catch (e) {
    if (isConnectionError(e)) return null;
    throw e;
  }
}
