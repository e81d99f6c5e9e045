import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { audit } from '../../analyze/audit.js';
import { validateSpec } from '../../config/load-spec.js';
import { isUserInputError } from '../../errors.js';
import type { AuditResult } from '../../result/schema.js';
import { auditJobSchema, chainedJobId, type AuditPointer, type RenderJobData } from '../job-data.js';
import { openQueue } from '../queues.js';
import type { QueueSettings } from '../settings.js';
import type { JobLike } from './job-like.js';
import { compareWithPrevious, recordRun } from '../history.js';

/**
 * The audit stage of the queue: validate, train/load and analyze, write result.json atomically into
 * <reports>/<jobId>/, then enqueue the render job under a derived id. A retry that finds its own
 * result.json (the worker died after writing it) reuses it instead of retraining.
 */
export async function runAuditJob(job: JobLike, settings: QueueSettings): Promise<AuditPointer> {
  const parsed = auditJobSchema.safeParse(job.data);
  if (!parsed.success || !job.id) throw new UnrecoverableError(`invalid audit job data: ${parsed.error?.message ?? 'no job id'}`);
  const data = parsed.data;
  const outDir = path.join(settings.reportsDir, job.id);
  const resultPath = path.join(outDir, 'result.json');
  let result = readOwnResult(resultPath, job.id);
  const reused = result !== null;
  if (!result) {
    try {
      result = await audit(validateSpec(data.spec, `job ${job.id} spec`), {
        baseDir: data.baseDir,
        runId: job.id,
        onProgress: (p) => { if (p.phase === 'train') void job.updateProgress({ phase: p.phase, epoch: p.epoch, epochs: p.epochs, loss: p.logs?.['loss'] ?? null }); },
      });
    } catch (e) {
      // Bad input will fail the same way every time: fail now, do not retry.
      if (isUserInputError(e)) throw new UnrecoverableError(e.message);
      throw e;
    }
    // Nightly diagnostics are about change: compare with the previous run of this schedule or label.
    result = await compareWithPrevious(settings, historyName(data), result);
    await mkdir(outDir, { recursive: true });
    const tmp = `${resultPath}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(result, null, 1)}\n`);
    await rename(tmp, resultPath);
  }
  await recordRun(settings, historyName(data), result, resultPath);
  await job.updateProgress({ phase: 'done', epoch: 0, epochs: 0 });
  const render: RenderJobData = { auditJobId: job.id, resultPath, outDir, formats: data.formats, email: data.email };
  const queue = openQueue('render', settings, 'worker');
  try {
    await queue.add('render', render, { jobId: chainedJobId(job.id, 'render') });
  } finally {
    await queue.close();
  }
  return {
    resultPath, outDir, modelName: result.model.name, verdict: result.gate.verdict, exitCode: result.gate.exitCode,
    findings: Object.fromEntries(result.findings.map((f) => [f.id, f.status])), reused, runFinishedAt: result.run.finishedAt,
  };
}

/** The history a run belongs to: its schedule, else its label (labels outside the history's charset are made safe). */
const historyName = (d: { schedule?: string | undefined; label: string }): string => (d.schedule ?? d.label).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);

function readOwnResult(file: string, jobId: string): AuditResult | null {
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as AuditResult;
    return r.run?.id === jobId ? r : null;
  } catch {
    return null; // a torn write cannot happen (rename is atomic), but a hand-edited file can: recompute
  }
}
