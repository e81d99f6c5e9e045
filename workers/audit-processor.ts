/**
 * BullMQ sandboxed processor for the audit queue: runs in its own child process, so tfjs training never
 * blocks the worker's lock renewal and a crash takes down only this job.
 */
import type { SandboxedJob } from 'bullmq';
import { runAuditJob } from '../src/queue/processors/audit-job.js';
import { queueSettings } from '../src/queue/settings.js';
import { workerPolicy } from '../src/policy/input-policy.js';
import type { AuditPointer } from '../src/queue/job-data.js';

// Exiting with the worker is exit-with-parent.ts's job: the worker preloads it into this process (--import),
// before BullMQ's child code, so it also covers a child that never gets this far.

/** A queued spec is untrusted: every job runs under the worker's input policy (NNAUDIT_DATA_DIRS, ...). */
export default function auditProcessor(
  job: SandboxedJob,
  _token?: string,
  signal?: AbortSignal,
): Promise<AuditPointer> {
  return runAuditJob(job, queueSettings(), workerPolicy(), signal);
}
