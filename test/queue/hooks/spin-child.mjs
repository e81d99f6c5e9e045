// Preloaded (NODE_OPTIONS=--import) into a test worker and so into its audit children. An audit child given a job
// whose data mentions "spin-forever" blocks its main thread for good, as a synchronous decoder or loop would: it runs
// no timer and reads no message again, so only the worker can end it.
// It watches process.emit rather than adding a 'message' listener: a listener added this early starts reading the IPC
// channel while the ESM preload is still loading, and BullMQ's own listener then misses the worker's Init message.
const emit = process.emit;
process.emit = function (event, msg, ...rest) {
  if (event === 'message' && msg && msg.cmd === 1 && JSON.stringify(msg.job ?? null).includes('spin-forever')) {
    setImmediate(() => { for (;;) { /* blocked */ } });
  }
  return emit.call(this, event, msg, ...rest);
};
