import { readFile } from 'node:fs/promises';
import { UnrecoverableError } from 'bullmq';
import type { Transporter } from 'nodemailer';
import { upgradeResult } from '../../result/upgrade.js';
import { composeEmail } from '../../notify/email.js';
import { notifyJobSchema, type NotifyPointer } from '../job-data.js';
import type { QueueSettings } from '../settings.js';
import type { JobLike } from './job-like.js';

/** Emails the verdict with the PDF attached. An SMTP failure is retried; it never re-runs the audit. */
export async function runNotifyJob(job: JobLike, settings: QueueSettings, transport: Transporter): Promise<NotifyPointer> {
  const parsed = notifyJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid notify job data: ${parsed.error.message}`);
  const d = parsed.data;
  const result = upgradeResult(JSON.parse(await readFile(d.resultPath, 'utf8')), d.resultPath);
  const { subject, text } = composeEmail(result);
  const attachments = [
    ...(d.pdfPath ? [{ filename: `nnaudit-${result.model.name}.pdf`, path: d.pdfPath, contentType: 'application/pdf' }] : []),
    ...(!d.pdfPath && d.htmlPath ? [{ filename: `nnaudit-${result.model.name}.html`, path: d.htmlPath, contentType: 'text/html' }] : []),
    { filename: 'result.json', path: d.resultPath, contentType: 'application/json' },
  ];
  const info = await transport.sendMail({ from: settings.mailFrom, to: d.to, subject, text, attachments }) as { messageId: string };
  return { messageId: info.messageId, to: d.to };
}
