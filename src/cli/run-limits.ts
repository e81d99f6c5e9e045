import type { LimitsSpec } from '../config/spec-schema.js';
import { UserInputError } from '../errors.js';

/**
 * A spec's `limits.timeoutSeconds` and `limits.memoryMb` on the command line, with the meaning they have under a queue
 * worker (src/queue/processors/job-guard.ts): the whole audit's wall clock, and the resident memory of the process
 * that runs it. Before this, the CLI ignored both (iris with timeoutSeconds: 1 trained all its epochs): one key had
 * two meanings. Here the audit runs in this process, so the cap is watched in-process (RSS, which includes the
 * wasm heap and tfjs-node's tensors, outside V8's heap) and training stops at its next progress step.
 */
export interface RunLimits {
  /** Throws the limit's error once one has been reached; called at every progress step (and after the audit). */
  check(at?: { epoch: number; epochs: number; phase: string }): void;
  /** The error of the limit reached, if one was: a failed run reports it instead of what the stop caused. */
  error(): UserInputError | null;
  dispose(): void;
}

/** After a limit is reached, the run gets this long to reach its next progress step before the process exits. */
export const LIMIT_GRACE_MS = 15_000;
const WATCH_MS = 250;

export function runLimits(limits: LimitsSpec | undefined): RunLimits {
  let reached: UserInputError | null = null;
  let last = '';
  const timers: NodeJS.Timeout[] = [];
  const fire = (message: string, fix: string) => {
    if (reached) return;
    reached = new UserInputError('limits', `${message}${last}: the audit stopped; ${fix}`);
    // A long step with no progress call (a big evaluation, the neighbour vote) would otherwise run on past the limit.
    const backstop = setTimeout(() => {
      process.stderr.write(
        `nnaudit: error: ${reached!.message} (the run did not reach its next step within ${LIMIT_GRACE_MS / 1000} s)\n`,
      );
      process.exit(2);
    }, LIMIT_GRACE_MS);
    timers.push(backstop);
  };
  const seconds = limits?.timeoutSeconds;
  if (seconds !== undefined) {
    const t = setTimeout(
      () =>
        fire(
          `time limit of ${seconds} s (limits.timeoutSeconds) reached`,
          'raise limits.timeoutSeconds, or train fewer epochs (--epochs)',
        ),
      seconds * 1000,
    );
    t.unref(); // never keeps a finished run alive
    timers.push(t);
  }
  const mb = limits?.memoryMb;
  if (mb !== undefined) {
    const w = setInterval(() => {
      const rss = process.memoryUsage.rss() / 1048576;
      if (rss > mb)
        fire(
          `memory limit of ${mb} MiB (limits.memoryMb) exceeded: ${Math.round(rss)} MiB resident`,
          'raise limits.memoryMb, or use fewer rows (--limit), a smaller probe set (--probe-size) or a smaller model',
        );
    }, WATCH_MS);
    w.unref();
    timers.push(w);
  }
  return {
    check: (at) => {
      if (reached) throw reached;
      if (at?.phase === 'train' && at.epochs > 0) last = ` at epoch ${at.epoch} of ${at.epochs}`;
    },
    error: () => reached,
    dispose: () => {
      for (const t of timers) clearTimeout(t);
    },
  };
}
