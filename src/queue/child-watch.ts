import { readFileSync } from 'node:fs';
import type { Child } from 'bullmq';
import { GUARD_GRACE_MS } from './processors/job-guard.js';

/** How often the worker reads an audit child's memory: a decoder can allocate hundreds of MiB in a second. */
export const WATCH_POLL_MS = 100;
/**
 * After a timeout or cancel, the child gets its own guard's grace (training stops at its next step) and a little
 * more; a child that is still there then is blocked where nothing of its own can run (a synchronous loop, an
 * open() on a FIFO) and is killed.
 */
export const KILL_GRACE_MS = GUARD_GRACE_MS + 2_000;
/**
 * A child that holds more than this when idle is restarted rather than reused, whatever the next job's cap. The
 * bench measured an idle child at 115-146 MiB after 50 audits and up to 300 MiB before a collection: 512 MiB is
 * past anything a healthy child keeps, and well under what a heavy job leaves behind.
 */
export const IDLE_CEILING_MB = 512;
/** A reused child must leave the job at least this share of its cap: its resident memory counts against it. */
const REUSE_SHARE = 0.6;

export interface ChildMemory {
  rssMb: number;
  peakMb: number;
}

/** Resident and peak resident memory of a process, from /proc (Linux); null elsewhere or once it has exited. */
export function childMemory(pid: number): ChildMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    if (!Number.isFinite(rss)) return null;
    const peak = kb('VmHWM');
    return { rssMb: rss / 1024, peakMb: Number.isFinite(peak) ? peak / 1024 : rss / 1024 };
  } catch {
    return null;
  }
}

export interface WatchLimits {
  timeoutMs: number;
  memoryMb: number;
}

const alive = (child: Child): boolean => child.exitCode === null && child.signalCode === null;

/**
 * The worker's side of one audit's limits. The child's own guard (job-guard.ts) stops training at its next step,
 * but a child blocked in synchronous code (an image decode, a huge generator, a FIFO) runs none of its timers and
 * reads no cancel message. From here, outside the child: the memory cap is checked on the child's resident memory
 * from its first byte and breaking it kills the child at once; a timeout or cancel kills it after KILL_GRACE_MS.
 * Whatever stopped, the job fails with this reason, and the child is not reused.
 */
export class JobWatch {
  private child: Child | null = null;
  private stopped: string | null = null;
  /** Killed because the grace ran out (not because the job was already over its limit when its child came). */
  private killedAfterGrace = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private poll: NodeJS.Timeout | null = null;

  constructor(readonly limits: WatchLimits) {
    if (Number.isFinite(limits.timeoutMs)) {
      this.timers.push(
        setTimeout(
          () =>
            this.stop(
              `timed out after ${limits.timeoutMs / 1000} s (limits.timeoutSeconds / NNAUDIT_JOB_TIMEOUT_S)`,
              KILL_GRACE_MS,
            ),
          limits.timeoutMs,
        ),
      );
    }
  }

  /** Whether a child, fresh or reused, leaves this job room under its cap. */
  fits(child: Child): boolean {
    const m = childMemory(child.pid);
    return m === null || m.rssMb < Math.min(this.limits.memoryMb * REUSE_SHARE, IDLE_CEILING_MB);
  }

  /** The child that runs this job; watched from now on. */
  attach(child: Child): void {
    this.child = child;
    if (this.stopped !== null) return this.kill(false);
    this.poll = setInterval(() => {
      const m = childMemory(child.pid);
      if (m && m.rssMb > this.limits.memoryMb) {
        this.stop(
          `memory cap exceeded: ${Math.ceil(m.rssMb)} MiB over the ${this.limits.memoryMb} MiB cap (limits.memoryMb / NNAUDIT_JOB_MEMORY_MB)`,
          0,
        );
      }
    }, WATCH_POLL_MS);
  }

  /** Stops the job: the child is killed after `graceMs` unless the job has ended by then. The first reason wins. */
  stop(reason: string, graceMs: number): void {
    if (this.stopped !== null) return;
    this.stopped = reason;
    if (graceMs === 0) this.kill(false);
    else this.timers.push(setTimeout(() => this.kill(true), graceMs));
  }

  /** Why the job was stopped (the failure reason), or null. */
  reason(): string | null {
    if (this.stopped === null) return null;
    return this.killedAfterGrace
      ? `${this.stopped}; the audit process did not stop within ${KILL_GRACE_MS / 1000} s and was killed`
      : this.stopped;
  }

  /** Null when the child may run the next job; else why it must be restarted instead. */
  recycleReason(child: Child): string | null {
    if (!alive(child)) return 'it exited';
    if (this.stopped !== null) return 'its job was stopped';
    const m = childMemory(child.pid);
    if (m === null) return null;
    if (m.peakMb > this.limits.memoryMb)
      return `its memory peaked at ${Math.round(m.peakMb)} MiB, over its ${this.limits.memoryMb} MiB cap`;
    if (m.rssMb > IDLE_CEILING_MB)
      return `it keeps ${Math.round(m.rssMb)} MiB resident, over the ${IDLE_CEILING_MB} MiB an idle child may keep`;
    return null;
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    if (this.poll) clearInterval(this.poll);
  }

  private kill(afterGrace: boolean): void {
    const child = this.child;
    if (!child || !alive(child)) return;
    this.killedAfterGrace = afterGrace;
    if (this.poll) clearInterval(this.poll);
    void child.kill('SIGKILL');
  }
}
