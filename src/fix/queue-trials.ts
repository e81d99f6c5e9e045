/**
 * Verified-fix candidates as audit jobs on the queue, so a worker pool trains them in parallel. Chosen explicitly
 * (`nnaudit fix --queue`), never by noticing that Redis answers: queued trials read data under the worker's input
 * policy and write results into the worker's reports folder, which a silent switch would spring on the user.
 */
import { readFileSync } from 'node:fs';
import { Job } from 'bullmq';
import type { Spec } from '../config/spec-schema.js';
import type { AuditResult } from '../result/schema.js';
import { upgradeResult } from '../result/upgrade.js';
import { auditJobData } from '../queue/producer.js';
import { openQueue } from '../queue/queues.js';
import { redactUrl, wrapRedisError } from '../queue/connection.js';
import type { AuditPointer } from '../queue/job-data.js';
import type { QueueSettings } from '../queue/settings.js';
import { TrialCancelled, TrialRunnerUnavailable, type FixOptions } from './run-fixes.js';

export interface QueueTrialOptions {
  settings: QueueSettings;
  /** Where the spec's relative paths resolve; must exist on the worker hosts too (as for `nnaudit enqueue`). */
  baseDir: string;
  /** Names the jobs in `nnaudit jobs`: "<label> (fix trial)". */
  label: string;
  /** Candidates at once (default: the audit workers connected now). */
  parallel?: number;
  /** A waiting trial fails the fix after no audit worker has been connected for this long (default 30 s). */
  noWorkerMs?: number;
  /** How often a trial's job state is read (default 500 ms). */
  pollMs?: number;
}

export interface QueueTrialRunner extends Pick<FixOptions, 'runTrial' | 'concurrency'> {
  /** Audit workers connected when the runner started. */
  workers: number;
  /** The ids of the jobs it enqueued, in order. */
  jobIds: string[];
  close(): Promise<void>;
}

const hint = (s: QueueSettings) =>
  `start one with the same REDIS_URL and NNAUDIT_QUEUE_PREFIX (nnaudit worker), or drop --queue to train the candidates in this process`;

/**
 * Opens a runner that enqueues each candidate as an audit job (fail-fast on, the spec's own seed, a job and run id of
 * its own) and returns its result.json. Fails at once, with a hint, when no audit worker is connected.
 *
 * @example
 *   const runner = await queueTrialRunner({ settings: queueSettings(), baseDir, label: 'churn' });
 *   try { report = await findFixes(spec, baseline, { ...runner }); } finally { await runner.close(); }
 */
export async function queueTrialRunner(o: QueueTrialOptions): Promise<QueueTrialRunner> {
  const queue = openQueue('audit', o.settings);
  const jobIds: string[] = [];
  const workersNow = async () => {
    try {
      return await queue.getWorkersCount();
    } catch (e) {
      throw wrapRedisError(e, o.settings);
    }
  };
  let workers: number;
  try {
    workers = await workersNow();
  } catch (e) {
    await queue.close();
    throw e;
  }
  if (workers === 0 && o.parallel === undefined) {
    await queue.close();
    throw new TrialRunnerUnavailable(
      `--queue: no worker is connected to the audit queue (${redactUrl(o.settings.redisUrl)}, prefix ${o.settings.prefix}): ${hint(o.settings)}`,
    );
  }
  const pollMs = o.pollMs ?? 500;
  const noWorkerMs = o.noWorkerMs ?? 30_000;

  const runTrial = async (spec: Spec, signal: AbortSignal): Promise<AuditResult> => {
    if (signal.aborted) throw new TrialCancelled('a candidate');
    // Fail-fast on, as in-process trials: a candidate that is still broken stops at its first confirmed failure.
    const data = {
      ...auditJobData({ ...spec, gate: { ...spec.gate, failFast: true } }, { baseDir: o.baseDir, formats: [] }),
      label: `${o.label} (fix trial)`,
      trial: true,
    };
    const job = await queue.add('audit', data);
    jobIds.push(job.id!);
    let noWorkerSince: number | null = null;
    for (;;) {
      const state = await job.getState();
      if (state === 'completed') break;
      if (state === 'failed') {
        const failed = await Job.fromId(queue, job.id!);
        throw new Error(`queued trial ${job.id} failed: ${failed?.failedReason ?? 'no reason recorded'}`);
      }
      if (state === 'unknown') throw new Error(`queued trial ${job.id} was removed from the queue`);
      if (state !== 'active') {
        if (signal.aborted && (await removeIfWaiting(job))) throw new TrialCancelled(`queued trial ${job.id}`);
        // Waiting with nobody to take it: say so instead of waiting forever.
        if ((await workersNow()) > 0) noWorkerSince = null;
        else if ((noWorkerSince ??= Date.now()) + noWorkerMs < Date.now() && (await removeIfWaiting(job))) {
          throw new TrialRunnerUnavailable(
            `--queue: trial ${job.id} waited ${Math.round(noWorkerMs / 1000)} s with no worker connected to the audit queue (prefix ${o.settings.prefix}): ${hint(o.settings)}`,
          );
        }
      }
      await new Promise((ok) => setTimeout(ok, pollMs));
    }
    const done = await Job.fromId(queue, job.id!);
    const pointer = done?.returnvalue as AuditPointer | undefined;
    if (!pointer?.resultPath) throw new Error(`queued trial ${job.id} completed without a result pointer`);
    let raw: string;
    try {
      raw = readFileSync(pointer.resultPath, 'utf8');
    } catch {
      throw new TrialRunnerUnavailable(
        `--queue: cannot read trial ${job.id}'s result at ${pointer.resultPath}: nnaudit fix reads each trial's result.json from the worker's NNAUDIT_REPORTS_DIR, so run it where that folder is visible (the same host or a shared volume)`,
      );
    }
    const result = upgradeResult(JSON.parse(raw), pointer.resultPath);
    // Results never mix between candidates: the folder is named by this job's run id, and the result must say so.
    if (result.run.id !== pointer.runId)
      throw new Error(
        `queued trial ${job.id}: ${pointer.resultPath} holds run ${result.run.id}, not this job's run ${pointer.runId}`,
      );
    return result;
  };

  return {
    runTrial,
    concurrency: Math.max(1, o.parallel ?? workers),
    workers,
    jobIds,
    close: () => queue.close(),
  };
}

/** Removes a job that has not started; false when a worker took it meanwhile (it then runs to its end). */
async function removeIfWaiting(job: Job): Promise<boolean> {
  try {
    if ((await job.getState()) === 'active') return false;
    await job.remove();
    return true;
  } catch {
    return false; // locked: it became active between the two calls
  }
}
