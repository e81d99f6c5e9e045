import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { audit } from '../../audit/audit.js';
import { loadSpecFile, validateSpec } from '../../config/load-spec.js';
import type { Spec } from '../../config/spec-schema.js';
import { errorMessage, isUserInputError } from '../../errors.js';
import { checkEmail, runWithPolicy, type InputPolicy } from '../../policy/input-policy.js';
import { scrubMessage } from '../../policy/redact.js';
import { auditJobSchema, chainedJobId, type AuditPointer, type RenderJobData } from '../job-data.js';
import { claimOutputDir, readOwnResult, runIdFor, specHash } from '../job-identity.js';
import { openQueue } from '../queues.js';
import type { QueueSettings } from '../settings.js';
import { jobGuard } from './job-guard.js';
import type { JobLike } from './job-like.js';
import { compareWithPrevious, recordRun } from '../history.js';
import { putRunFile } from '../run-store.js';

/**
 * The audit stage of the queue: validate, give the run a UUID (kept across retries), train/load and analyze
 * under the worker's input policy and limits, write result.json atomically into <reports>/<runId>/, then
 * enqueue the render job. A retry reuses its own result.json only when the run id and spec hash match.
 */
export async function runAuditJob(
  job: JobLike,
  settings: QueueSettings,
  policy: InputPolicy,
  signal?: AbortSignal,
): Promise<AuditPointer> {
  const parsed = auditJobSchema.safeParse(job.data);
  if (!parsed.success || !job.id)
    throw new UnrecoverableError(`invalid audit job data: ${parsed.error?.message ?? 'no job id'}`);
  const data = parsed.data;
  const jobId = job.id;
  // Derived from the job itself (not read from job data, which a client could forge, nor stored, which a
  // crash could lose): every attempt of this job agrees on it, no other job shares it.
  const runId = runIdFor(settings.prefix, jobId, job.timestamp ?? 0);
  const spec = data.specFile ? readSpecFile(data.specFile, policy) : validateOrFail(data.spec, jobId);
  try {
    checkEmail(data.email, policy);
  } catch (e) {
    throw new UnrecoverableError(errorMessage(e));
  }
  const outDir = await claimOutputDir(settings.reportsDir, {
    runId,
    prefix: settings.prefix,
    jobId,
    jobCreatedAt: job.timestamp ?? 0,
    specHash: specHash(data.spec, data.baseDir),
  });
  const resultPath = path.join(outDir, 'result.json');
  let result = readOwnResult(resultPath, runId);
  const reused = result !== null;
  if (!result) {
    const guard = jobGuard(spec.limits, settings, signal);
    try {
      result = await runWithPolicy(
        { ...policy, maxInputBytes: Math.min(spec.limits?.maxInputBytes ?? Infinity, policy.maxInputBytes) },
        () =>
          audit(spec, {
            baseDir: data.baseDir,
            runId,
            onProgress: (p) => {
              guard.check(); // cancel, timeout, memory cap: stops training at the next epoch
              if (p.phase === 'train')
                void job.updateProgress({
                  phase: p.phase,
                  epoch: p.epoch,
                  epochs: p.epochs,
                  loss: p.logs?.['loss'] ?? null,
                });
            },
          }),
      );
    } catch (e) {
      // Bad input, a cap, a cancel or a timeout will fail the same way every time: fail now, do not retry.
      // Under a worker no failure reason may quote bytes the job read.
      const reason = guard.reason() ?? scrubMessage(errorMessage(e));
      if (guard.reason() !== null || isUserInputError(e) || e instanceof RangeError)
        throw new UnrecoverableError(reason);
      throw new Error(reason);
    } finally {
      guard.dispose();
    }
    // Nightly diagnostics are about change: compare with the previous run of this schedule or label.
    if (!data.trial) result = await compareWithPrevious(settings, historyName(data), result);
    const tmp = `${resultPath}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(result, null, 1)}\n`);
    await rename(tmp, resultPath);
  }
  // Into the run store too: a render or notify worker on another host, or the client, may share only Redis.
  await putRunFile(settings, runId, 'result.json', Buffer.from(`${JSON.stringify(result, null, 1)}\n`));
  if (!data.trial) await recordRun(settings, historyName(data), result, resultPath);
  await job.updateProgress({ phase: 'done', epoch: 0, epochs: 0 });
  if (!data.trial) {
    const render: RenderJobData = {
      auditJobId: jobId,
      runId,
      resultPath,
      outDir,
      formats: data.formats,
      email: data.email,
    };
    const queue = openQueue('render', settings, 'worker');
    try {
      await queue.add('render', render, { jobId: chainedJobId(jobId, 'render') });
    } finally {
      await queue.close();
    }
  }
  return {
    runId,
    resultPath,
    outDir,
    modelName: result.model.name,
    verdict: result.gate.verdict,
    exitCode: result.gate.exitCode,
    findings: Object.fromEntries(result.findings.map((f) => [f.id, f.status])),
    reused,
    runFinishedAt: result.run.finishedAt,
  };
}

/** The history a run belongs to: its schedule, else its label (labels outside the history's charset are made safe). */
const historyName = (d: { schedule?: string | undefined; label: string }): string =>
  (d.schedule ?? d.label).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);

/**
 * A schedule's spec as the file says now (nightly diagnostics follow the edits), read under the worker's policy:
 * only inside NNAUDIT_DATA_DIRS, and a failure (gone, unreadable, invalid) fails this run without quoting the file.
 */
export function readSpecFile(file: string, policy: InputPolicy): Spec {
  return runWithPolicy(policy, () => {
    try {
      return loadSpecFile(file).spec;
    } catch (e) {
      throw new UnrecoverableError(scrubMessage(errorMessage(e)));
    }
  });
}

function validateOrFail(raw: unknown, jobId: string) {
  try {
    return validateSpec(raw, `job ${jobId} spec`);
  } catch (e) {
    throw new UnrecoverableError(errorMessage(e));
  }
}
