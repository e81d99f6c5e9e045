// Preloaded (NODE_OPTIONS=--import) into a test worker and so into its audit children. An audit child given a job
// whose data mentions "spin-forever" blocks its main thread for good, as a synchronous decoder or loop would: it runs
// no timer and reads no message again, so only the worker can end it.
process.on('message', (msg) => {
  if (msg && msg.cmd === 1 && JSON.stringify(msg.job ?? null).includes('spin-forever')) {
    setImmediate(() => { for (;;) { /* blocked */ } });
  }
});
