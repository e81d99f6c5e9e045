import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { UnrecoverableError } from 'bullmq';
import { upgradeResult } from '../../result/upgrade.js';
import { writeOutputs } from '../../report/write-outputs.js';
import { BrowserNotFoundError } from '../../report/pdf/find-browser.js';
import type { PdfRenderer } from '../../report/pdf/pdf-renderer.js';
import { chainedJobId, renderJobSchema, type NotifyJobData, type RenderPointer } from '../job-data.js';
import { openQueue } from '../queues.js';
import type { QueueSettings } from '../settings.js';
import type { JobLike } from './job-like.js';
import { getRunFile, putRunFile } from '../run-store.js';

/** Renders report.html/report.pdf from result.json with the worker's warm browser, then enqueues the email. */
export async function runRenderJob(
  job: JobLike,
  settings: QueueSettings,
  renderer: PdfRenderer,
): Promise<RenderPointer> {
  const parsed = renderJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid render job data: ${parsed.error.message}`);
  const d = parsed.data;
  let text: string;
  try {
    text = await readFile(d.resultPath, 'utf8');
  } catch {
    // Another host ran the audit: its result travels in the run store.
    const stored = await getRunFile(settings, d.runId, 'result.json');
    if (!stored)
      throw new UnrecoverableError(
        `run ${d.runId}: the audit result is neither in ${d.resultPath} nor in the run store (expired, or NNAUDIT_STORE_MAX_MB=0 without a shared NNAUDIT_REPORTS_DIR)`,
      );
    text = stored.toString('utf8');
    await mkdir(d.outDir, { recursive: true });
    await writeFile(d.resultPath, text);
  }
  const result = upgradeResult(JSON.parse(text), d.resultPath);
  let written;
  try {
    written = await writeOutputs(result, { outDir: d.outDir, formats: d.formats, pdfRenderer: renderer });
  } catch (e) {
    if (e instanceof BrowserNotFoundError) throw new UnrecoverableError(e.message);
    throw e; // a browser crash: retried, and the renderer relaunches
  }
  const pointer: RenderPointer = { htmlPath: written.html ?? null, pdfPath: written.pdf ?? null };
  if (pointer.htmlPath) await putRunFile(settings, d.runId, 'report.html', await readFile(pointer.htmlPath));
  if (pointer.pdfPath) await putRunFile(settings, d.runId, 'report.pdf', await readFile(pointer.pdfPath));
  if (d.email.length) {
    const notify: NotifyJobData = {
      auditJobId: d.auditJobId,
      runId: d.runId,
      resultPath: d.resultPath,
      pdfPath: pointer.pdfPath,
      htmlPath: pointer.htmlPath,
      to: d.email,
    };
    const queue = openQueue('notify', settings, 'worker');
    try {
      await queue.add('notify', notify, { jobId: chainedJobId(d.auditJobId, 'notify') });
    } finally {
      await queue.close();
    }
  }
  return pointer;
}
