import { AsyncLocalStorage } from 'node:async_hooks';
import {
  UnrecoverableError,
  WaitingError,
  Worker,
  type Child,
  type ChildPool,
  type Job,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import { GUARD_EXIT_CODES } from './processors/job-guard.js';
import { JobWatch, KILL_GRACE_MS, type WatchLimits } from './child-watch.js';
import type { QueueSettings } from './settings.js';

/** Redis pub/sub channel on which `nnaudit cancel` names a job to stop. */
export const cancelChannel = (prefix: string): string => `${prefix}:nnaudit:cancel`;

/** BullMQ's pool of sandbox children (private in its typings; the worker needs to see which child runs which job). */
type Pool = Pick<ChildPool, 'retain' | 'release' | 'kill' | 'retained'>;
const poolOf = (w: Worker): Pool | undefined => (w as unknown as { childPool?: Pool }).childPool;

/** The watch of the job whose processor is running: BullMQ's sandbox retains and releases its child in that context. */
const activeWatch = new AsyncLocalStorage<JobWatch>();

/**
 * The limits the worker enforces from outside the child: the job's own (a spec inside the job; a schedule's spec
 * file is read in the child, so there only the worker's) lowered to nothing above the worker's settings. The job data
 * is untrusted, so only positive numbers count.
 */
export function watchLimits(data: unknown, settings: QueueSettings): WatchLimits {
  const limits = (data as { spec?: { limits?: { timeoutSeconds?: unknown; memoryMb?: unknown } } } | null)?.spec
    ?.limits;
  const positive = (v: unknown): number => (typeof v === 'number' && v > 0 ? v : Infinity);
  return {
    timeoutMs: Math.min(positive(limits?.timeoutSeconds) * 1000, settings.jobTimeoutMs),
    memoryMb: Math.min(positive(limits?.memoryMb), settings.jobMemoryMb),
  };
}

/**
 * The audit worker: a BullMQ Worker whose sandbox children are watched (memory cap, timeout, cancel, enforced on the
 * child from outside: job-watch) and restarted rather than reused when a job left them heavy; and whose child deaths
 * that will repeat are not retried. A child that stopped itself (timeout, memory cap, cancel that training ignored),
 * that the watch killed, or that V8 aborted for running out of heap fails for good with a reason that says so,
 * instead of "Unexpected exit code" three times.
 */
export class AuditWorker extends Worker {
  private handingBack = false;
  private settings: QueueSettings | null = null;
  private log: (line: string) => void = () => undefined;

  constructor(name: string, processor: URL, opts: WorkerOptions, settings: QueueSettings, log: (line: string) => void) {
    super(name, processor, opts);
    this.settings = settings;
    this.log = log;
  }

  /** Wraps BullMQ's pool before its sandbox captures it (this runs inside Worker's constructor). */
  protected override createSandbox(processor: string | URL | null | Processor): void {
    const pool = poolOf(this);
    if (pool) this.superviseChildren(pool);
    super.createSandbox(processor);
  }

  /**
   * Hands the active audits back to the queue now (shutdown grace over): kills their sandbox children with
   * SIGKILL (BullMQ's close(true) sends SIGTERM, which its child answers by finishing the job) and puts each
   * job back in the waiting list, no attempt spent, for another worker.
   */
  async handBack(): Promise<void> {
    this.handingBack = true;
    await this.killChildren();
  }

  /** Kills every child running a job (shutdown with Redis gone: nothing to hand back to). */
  async killChildren(): Promise<void> {
    await Promise.all(Object.values(poolOf(this)?.retained ?? {}).map((child) => child.kill('SIGKILL')));
  }

  protected override async callProcessJob(job: Job, token: string, signal?: AbortSignal): Promise<unknown> {
    const watch = new JobWatch(
      this.settings ? watchLimits(job.data, this.settings) : { timeoutMs: Infinity, memoryMb: Infinity },
    );
    const onAbort = () =>
      watch.stop(
        `cancelled${typeof signal?.reason === 'string' ? `: ${signal.reason}` : ' (nnaudit cancel)'}`,
        KILL_GRACE_MS,
      );
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await activeWatch.run(watch, () => super.callProcessJob(job, token, signal));
    } catch (e) {
      if (this.handingBack) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const stopped = watch.reason();
      if (stopped !== null) throw new UnrecoverableError(stopped);
      const m = /Unexpected exit code: (\S+) signal: (\S+)/.exec(e instanceof Error ? e.message : '');
      const guard = m ? Object.values(GUARD_EXIT_CODES).find((g) => String(g.code) === m[1]) : undefined;
      if (guard)
        throw new UnrecoverableError(
          `the audit was stopped: ${guard.says}; training did not reach its next step to stop by itself`,
        );
      if (m && (m[1] === '134' || m[2] === 'SIGABRT')) {
        throw new UnrecoverableError(
          `the audit ran out of memory (heap limit of the audit process; limits.memoryMb / NNAUDIT_JOB_MEMORY_MB)`,
        );
      }
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      watch.dispose();
    }
  }

  /**
   * Every child a job retains is watched by that job; a reused child that would crowd the job's cap is swapped for a
   * fresh one; and a child goes back to the pool only when its job left it light (else it is killed, and the next
   * job gets a fresh child), so one heavy job cannot fail the light ones after it.
   */
  private superviseChildren(pool: Pool): void {
    const retain = pool.retain.bind(pool);
    const release = pool.release.bind(pool);
    pool.retain = async (processFile: string): Promise<Child> => {
      const watch = activeWatch.getStore();
      // A fresh child always fits (a few tens of MiB): the third try is one, since the free list only shrinks.
      for (let attempt = 0; ; attempt++) {
        const child = await retain(processFile);
        if (!watch || attempt >= 2 || watch.fits(child)) {
          watch?.attach(child);
          return child;
        }
        await pool.kill(child, 'SIGKILL');
      }
    };
    pool.release = (child: Child): void => {
      const why = activeWatch.getStore()?.recycleReason(child) ?? null;
      if (why === null) return release(child);
      if (child.exitCode === null && child.signalCode === null)
        this.log(`audit child ${child.pid} restarted instead of reused: ${why}`);
      void pool.kill(child, 'SIGKILL');
    };
  }
}
