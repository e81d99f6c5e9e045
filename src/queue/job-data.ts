import { z } from 'zod';

export const QUEUES = { audit: 'audit', render: 'render', notify: 'notify' } as const;
export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

const emails = z.array(z.email()).default([]);
const reportFormats = z.array(z.enum(['html', 'pdf'])).default(['html', 'pdf']);

/** An audit job carries the validated spec itself, so a worker host needs no copy of the spec file. */
export const auditJobSchema = z.object({
  spec: z.record(z.string(), z.unknown()),
  /** Where relative data/model paths in the spec resolve: must exist on the worker hosts too. */
  baseDir: z.string().min(1),
  label: z.string().min(1),
  email: emails,
  formats: reportFormats,
  /** Set by schedules: which scheduler produced the job. */
  schedule: z.string().optional(),
  /**
   * Set by `nnaudit schedule add`: the spec file (absolute), read again at every run, so a nightly audit follows
   * the file's edits; `spec` is then the copy validated when the schedule was added. Read under the worker's policy.
   */
  specFile: z.string().min(1).optional(),
  /**
   * A candidate of `nnaudit fix --queue`: only result.json is wanted. It is not recorded in the label's run history
   * (a trial is not a run of the user's model) and no render job follows it.
   */
  trial: z.boolean().optional(),
});
export type AuditJobData = z.input<typeof auditJobSchema>;

export const renderJobSchema = z.object({
  auditJobId: z.string().min(1),
  runId: z.uuid(),
  resultPath: z.string().min(1),
  outDir: z.string().min(1),
  formats: reportFormats,
  email: emails,
});
export type RenderJobData = z.input<typeof renderJobSchema>;

export const notifyJobSchema = z.object({
  auditJobId: z.string().min(1),
  runId: z.uuid(),
  resultPath: z.string().min(1),
  pdfPath: z.string().nullable(),
  htmlPath: z.string().nullable(),
  to: z.array(z.email()).min(1),
});
export type NotifyJobData = z.input<typeof notifyJobSchema>;

/** What an audit job returns: a pointer to its outputs and the verdict, never the report itself. */
export interface AuditPointer {
  /** The run's UUID: names outDir and is result.run.id. */
  runId: string;
  resultPath: string;
  outDir: string;
  modelName: string;
  verdict: 'PASS' | 'WARN' | 'FAIL';
  exitCode: 0 | 1 | 2;
  findings: Record<string, string>;
  /** true when a retry found the result already written and did not retrain. */
  reused: boolean;
  /** run.finishedAt of the result on disk: identifies which write the pointer refers to. */
  runFinishedAt: string;
}
export interface RenderPointer {
  htmlPath: string | null;
  pdfPath: string | null;
}
export interface NotifyPointer {
  messageId: string;
  to: string[];
}

/** Chained job ids derive from the audit job id: re-adding them after a crash is a no-op, not a duplicate. */
export const chainedJobId = (auditJobId: string, stage: 'render' | 'notify'): string => `${auditJobId}-${stage}`;
