import { Job } from 'bullmq';
import { cancelChannel } from './audit-worker.js';
import { withQueue } from './queues.js';
import type { QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';

export type CancelOutcome = 'removed' | 'signalled' | 'already-finished';

/**
 * Cancels an audit job: a waiting or delayed one is removed; a running one is told to stop (its worker
 * aborts it at the next epoch and fails it without retry, reason "cancelled").
 */
export async function cancelJob(settings: QueueSettings, jobId: string): Promise<CancelOutcome> {
  return withQueue('audit', settings, async (q) => {
    const job = await Job.fromId(q, jobId);
    if (!job)
      throw new UserInputError('queue', `no audit job ${jobId} in ${settings.prefix} (nnaudit jobs lists them)`);
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return 'already-finished';
    if (state !== 'active') {
      try {
        await job.remove();
        return 'removed';
      } catch {
        // It became active between the two calls: signal it instead.
      }
    }
    // The queue's own (connected) client: publishing needs no subscriber connection.
    const listeners = await (await q.client).publish(cancelChannel(settings.prefix), jobId);
    if (listeners === 0)
      throw new UserInputError(
        'queue',
        `job ${jobId} is active but no worker is listening for cancels (is the worker older than this nnaudit?)`,
      );
    return 'signalled';
  });
}
