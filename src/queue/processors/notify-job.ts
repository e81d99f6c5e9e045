import { readFile } from 'node:fs/promises';
import { UnrecoverableError } from 'bullmq';
import type { Transporter } from 'nodemailer';
import { upgradeResult } from '../../result/upgrade.js';
import { composeEmail } from '../../notify/email.js';
import { notifyJobSchema, type NotifyPointer } from '../job-data.js';
import type { QueueSettings } from '../settings.js';
import type { JobLike } from './job-like.js';
import { getRunFile, type StoredFile } from '../run-store.js';

/** Emails the verdict with the PDF attached. An SMTP failure is retried; it never re-runs the audit. */
export async function runNotifyJob(
  job: JobLike,
  settings: QueueSettings,
  transport: Transporter,
): Promise<NotifyPointer> {
  const parsed = notifyJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid notify job data: ${parsed.error.message}`);
  const d = parsed.data;
  // The files on this host, else from the run store (the render ran on a host that shares only Redis).
  const read = async (p: string | null, file: StoredFile): Promise<Buffer | null> => {
    if (!p) return null;
    try {
      return await readFile(p);
    } catch {
      return getRunFile(settings, d.runId, file);
    }
  };
  const resultBytes = await read(d.resultPath, 'result.json');
  if (!resultBytes)
    throw new UnrecoverableError(`run ${d.runId}: the audit result is neither in ${d.resultPath} nor in the run store`);
  const result = upgradeResult(JSON.parse(resultBytes.toString('utf8')), d.resultPath);
  const { subject, text } = composeEmail(result);
  const pdf = await read(d.pdfPath, 'report.pdf');
  const html = pdf ? null : await read(d.htmlPath, 'report.html');
  const attachments = [
    ...(pdf ? [{ filename: `nnaudit-${result.model.name}.pdf`, content: pdf, contentType: 'application/pdf' }] : []),
    ...(html ? [{ filename: `nnaudit-${result.model.name}.html`, content: html, contentType: 'text/html' }] : []),
    { filename: 'result.json', content: resultBytes, contentType: 'application/json' },
  ];
  const info = (await transport.sendMail({ from: settings.mailFrom, to: d.to, subject, text, attachments })) as {
    messageId: string;
  };
  return { messageId: info.messageId, to: d.to };
}
