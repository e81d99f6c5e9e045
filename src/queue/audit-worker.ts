import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { GUARD_EXIT_CODES } from './processors/job-guard.js';

/** Redis pub/sub channel on which `nnaudit cancel` names a job to stop. */
export const cancelChannel = (prefix: string): string => `${prefix}:nnaudit:cancel`;

/**
 * The audit worker: a BullMQ Worker whose sandbox-child deaths that will repeat are not retried. A child
 * that stopped itself (timeout, memory cap, cancel that training ignored) or that V8 aborted for running
 * out of heap fails for good with a reason that says so, instead of "Unexpected exit code" three times.
 */
export class AuditWorker extends Worker {
  private handingBack = false;

  /**
   * Hands the active audits back to the queue now (shutdown grace over): kills their sandbox children with
   * SIGKILL (BullMQ's close(true) sends SIGTERM, which its child answers by finishing the job) and puts each
   * job back in the waiting list, no attempt spent, for another worker.
   */
  async handBack(): Promise<void> {
    this.handingBack = true;
    const pool = (this as unknown as { childPool?: { retained: Record<string, { kill(signal: NodeJS.Signals): Promise<void> }> } }).childPool;
    await Promise.all(Object.values(pool?.retained ?? {}).map((child) => child.kill('SIGKILL')));
  }

  protected override async callProcessJob(job: Job, token: string, signal?: AbortSignal): Promise<unknown> {
    try {
      return await super.callProcessJob(job, token, signal);
    } catch (e) {
      if (this.handingBack) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const m = /Unexpected exit code: (\S+) signal: (\S+)/.exec(e instanceof Error ? e.message : '');
      const guard = m ? Object.values(GUARD_EXIT_CODES).find((g) => String(g.code) === m[1]) : undefined;
      if (guard) throw new UnrecoverableError(`the audit was stopped: ${guard.says}; training did not reach its next step to stop by itself`);
      if (m && (m[1] === '134' || m[2] === 'SIGABRT')) {
        throw new UnrecoverableError(`the audit ran out of memory (heap limit of the audit process; limits.memoryMb / NNAUDIT_JOB_MEMORY_MB)`);
      }
      throw e;
    }
  }
}
