import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job } from 'bullmq';
import { expect } from 'vitest';
import { waitForAudit } from '../../src/queue/producer.js';
import { openQueue } from '../../src/queue/queues.js';
import type { QueueSettings } from '../../src/queue/settings.js';
import { ROOT } from './cli.js';

/** The iris fixture spec, loosely typed so tests can build variants of it (the worker and enqueue validate them). */
export const iris = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/specs/iris.json'), 'utf8')) as Record<
  string,
  any
>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The iris audit trained for `epochs` epochs (10,000 by default: it holds a worker for minutes). */
export const long = (extra: Record<string, unknown> = {}, epochs = 10000) => ({
  ...iris,
  name: 'long',
  model: { train: { ...iris['model'].train, epochs } },
  ...extra,
});

/** Waits for an audit job to fail and returns its failure reason and how many attempts it made. */
export async function jobFailure(
  jobId: string,
  settings: QueueSettings,
): Promise<{ reason: string; attempts: number }> {
  await expect(waitForAudit(jobId, { settings, timeoutMs: 180_000 })).rejects.toThrow();
  const q = openQueue('audit', settings);
  try {
    const job = await Job.fromId(q, jobId);
    return { reason: job!.failedReason, attempts: job!.attemptsMade };
  } finally {
    await q.close();
  }
}
