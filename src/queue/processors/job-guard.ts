import type { LimitsSpec } from '../../config/spec-schema.js';
import type { QueueSettings } from '../settings.js';

/**
 * Exit codes of an audit child that had to stop itself, one per cause, so the worker can still say which limit
 * it was when the child could not report it (training did not reach its next step within the grace). Such a
 * failure is never retried (see audit-worker).
 */
export const GUARD_EXIT_CODES = {
  timeout: { code: 75, says: 'it ran past its time limit (limits.timeoutSeconds / NNAUDIT_JOB_TIMEOUT_S)' },
  memory: { code: 76, says: 'it exceeded its memory cap (limits.memoryMb / NNAUDIT_JOB_MEMORY_MB)' },
  cancel: { code: 77, says: 'it was cancelled (nnaudit cancel)' },
} as const;
type GuardCause = keyof typeof GUARD_EXIT_CODES;
/** After a stop is asked for, training gets this long to reach the next epoch before the child exits. */
export const GUARD_GRACE_MS = 15_000;

export interface JobGuard {
  /** Throws the stop reason once cancel, timeout or the memory cap has fired (called at each progress step). */
  check(): void;
  reason(): string | null;
  dispose(): void;
}

/**
 * Bounds one audit in the sandbox child: a wall-clock timeout, an RSS watchdog (tfjs-node tensors live
 * outside the V8 heap, so --max-old-space-size alone does not bound them) and `nnaudit cancel`. Training
 * stops at its next progress step; if it does not get there within GUARD_GRACE_MS, the child exits.
 */
export function jobGuard(limits: LimitsSpec | undefined, settings: QueueSettings, signal?: AbortSignal): JobGuard {
  const timeoutMs = Math.min(
    limits?.timeoutSeconds !== undefined ? limits.timeoutSeconds * 1000 : Infinity,
    settings.jobTimeoutMs,
  );
  const memoryMb = Math.min(limits?.memoryMb ?? Infinity, settings.jobMemoryMb);
  let stop: string | null = null;
  let backstop: NodeJS.Timeout | null = null;
  const fire = (cause: GuardCause, why: string) => {
    if (stop !== null) return;
    stop = why;
    backstop = setTimeout(() => {
      process.stderr.write(
        `nnaudit audit child: ${why}; training did not stop within ${GUARD_GRACE_MS / 1000} s, exiting\n`,
      );
      process.exit(GUARD_EXIT_CODES[cause].code);
    }, GUARD_GRACE_MS);
  };
  const timer = setTimeout(
    () => fire('timeout', `timed out after ${timeoutMs / 1000} s (limits.timeoutSeconds / NNAUDIT_JOB_TIMEOUT_S)`),
    timeoutMs,
  );
  const watch = setInterval(() => {
    const rssMb = process.memoryUsage.rss() / 1048576;
    if (rssMb > memoryMb)
      fire(
        'memory',
        `memory cap exceeded: ${Math.ceil(rssMb)} MiB over the ${memoryMb} MiB cap (limits.memoryMb / NNAUDIT_JOB_MEMORY_MB)`,
      );
  }, 250);
  const onAbort = () =>
    fire('cancel', `cancelled${typeof signal?.reason === 'string' ? `: ${signal.reason}` : ' (nnaudit cancel)'}`);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    check: () => {
      if (stop !== null) throw new Error(stop);
    },
    reason: () => stop,
    dispose: () => {
      clearTimeout(timer);
      clearInterval(watch);
      if (backstop) clearTimeout(backstop);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
