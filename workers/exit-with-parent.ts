/**
 * Preloaded into every audit sandbox child (`node --import`) before BullMQ's child code runs, so the child exits
 * when its worker dies, however it dies. Without it an orphan would finish its job and write its report while
 * another worker retries the same job. Three ways, because each alone has a gap (each was seen in the queue
 * fault test):
 * - 'disconnect': the IPC socket reached EOF. Installed here rather than in the processor file, because a child
 *   whose worker is SIGKILLed after the fork and before BullMQ's init message never loads the processor file.
 * - a write to the dead worker fails (EPIPE): BullMQ's uncaughtException handler reports every error to the
 *   parent, that report fails again, and the child spins in that loop at 100% CPU without ever reaching the
 *   event loop, so neither 'disconnect' nor a timer would run. The monitor runs before any handler.
 * - the parent pid changed (NNAUDIT_PARENT_PID, passed by the worker, since a child started after its
 *   worker died sees its new parent as if it were the first): for when the IPC channel says nothing.
 */
const CHANNEL_GONE = new Set(['EPIPE', 'ERR_IPC_CHANNEL_CLOSED', 'ERR_IPC_DISCONNECTED']);

process.once('disconnect', () => process.exit(1));

// A monitor never changes what happens to other errors; it only cuts the report loop short.
process.on('uncaughtExceptionMonitor', (err: unknown) => {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && CHANNEL_GONE.has(code)) process.exit(1);
});

const expected = Number(process.env['NNAUDIT_PARENT_PID']);
if (Number.isInteger(expected) && expected > 0) {
  const orphaned = (): boolean => process.ppid !== expected;
  if (orphaned()) process.exit(1);
  // unref: the check never keeps a finished child alive.
  setInterval(() => {
    if (orphaned()) process.exit(1);
  }, 1000).unref();
}
export {};
