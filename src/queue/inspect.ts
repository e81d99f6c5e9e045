import { Job, type JobType } from 'bullmq';
import { withQueue } from './queues.js';
import { chainedJobId } from './job-data.js';
import type { QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';

export const JOB_STATES = [
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobRow {
  id: string;
  state: string;
  label: string;
  progress: string;
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
  verdict: string | null;
  failedReason: string | null;
}

function progressText(p: unknown): string {
  if (typeof p === 'number') return `${p}%`;
  const o = p as { phase?: string; epoch?: number; epochs?: number } | null;
  if (!o?.phase) return '';
  return o.phase === 'train' ? `epoch ${o.epoch}/${o.epochs}` : o.phase;
}

async function row(job: Job): Promise<JobRow> {
  const data = job.data as { label?: string };
  const rv = job.returnvalue as { verdict?: string } | null;
  return {
    id: job.id!,
    state: await job.getState(),
    label: data.label ?? job.name,
    progress: progressText(job.progress),
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    verdict: rv?.verdict ?? null,
    failedReason: job.failedReason || null,
  };
}

/** Audit jobs in the given states, newest first. */
export function listJobs(settings: QueueSettings, states: readonly JobState[], limit = 50): Promise<JobRow[]> {
  return withQueue('audit', settings, async (q) => {
    const jobs = await q.getJobs(states as JobType[], 0, limit - 1, false);
    return Promise.all(jobs.filter((j): j is Job => Boolean(j)).map(row));
  });
}

export interface JobStatus extends JobRow {
  returnvalue: unknown;
  stages: Array<{ stage: 'render' | 'notify'; state: string; failedReason: string | null; returnvalue: unknown }>;
}

/** One audit job with its render and notify stages. */
export async function jobStatus(settings: QueueSettings, jobId: string): Promise<JobStatus> {
  const base = await withQueue('audit', settings, async (q) => {
    const job = await Job.fromId(q, jobId);
    if (!job)
      throw new UserInputError(
        'queue',
        `no audit job ${jobId} in ${settings.prefix} (finished jobs are kept ${Math.round(settings.keepSeconds / 86400)} days)`,
      );
    return { ...(await row(job)), returnvalue: job.returnvalue };
  });
  const stages: JobStatus['stages'] = [];
  for (const stage of ['render', 'notify'] as const) {
    const info = await withQueue(stage, settings, async (q) => {
      const job = await Job.fromId(q, chainedJobId(jobId, stage));
      return job
        ? { stage, state: await job.getState(), failedReason: job.failedReason || null, returnvalue: job.returnvalue }
        : null;
    });
    if (info) stages.push(info);
  }
  return { ...base, stages };
}
