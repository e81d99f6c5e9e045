import type { Argv, ArgumentsCamelCase } from 'yargs';
import { queueSettings } from '../../queue/settings.js';
import { defaultQueues, startWorkers } from '../../queue/worker-pool.js';
import { QUEUE_NAMES, type QueueName } from '../../queue/job-data.js';
import { runCommand } from '../run-command.js';
import { UserInputError } from '../../errors.js';

/** Audits at once per worker process: each is a child process training on one core; 64 is past any host we run on. */
export const MAX_CONCURRENCY = 64;

export function builder(y: Argv) {
  return y
    .option('queue', {
      type: 'string',
      describe: `Comma-separated queues to work: ${QUEUE_NAMES.join(', ')} (default: audit,render, plus notify when SMTP_URL is set)`,
    })
    .option('concurrency', {
      type: 'number',
      default: 1,
      describe: 'Audits at once in this process (each in its own child process); keep <= cores',
    })
    .option('shutdown-grace', {
      type: 'number',
      default: 30,
      describe: 'On SIGTERM: seconds active jobs may finish before they are handed back to the queue',
    })
    .example(
      'REDIS_URL=redis://127.0.0.1:6379 $0 worker',
      'Audits and reports (and email when SMTP_URL is set); SIGTERM lets the active jobs finish, then exits 0',
    )
    .example('$0 worker --queue audit --concurrency 2', 'A training-only host (render/notify run elsewhere)')
    .epilogue(
      'Scale out by starting workers on more hosts with the same REDIS_URL and NNAUDIT_QUEUE_PREFIX; they must share NNAUDIT_REPORTS_DIR (e.g. an NFS mount) and the data/model paths the specs name.',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    if (!(argv.shutdownGrace >= 0))
      throw new UserInputError('config', `--shutdown-grace ${argv.shutdownGrace}: must be a number of seconds >= 0`);
    // Checked before anything connects: each unit of concurrency is a forked audit child, so 1e9 would try to fork
    // until the host gives out (and with Redis down the worker never got far enough to say so).
    if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1 || argv.concurrency > MAX_CONCURRENCY) {
      throw new UserInputError(
        'config',
        `--concurrency ${argv.concurrency}: must be a whole number >= 1 and <= ${MAX_CONCURRENCY} (audits at once in this worker, each in its own process)`,
      );
    }
    const settings = queueSettings();
    let queues: string[];
    if (argv.queue === undefined) {
      const chosen = defaultQueues(settings);
      queues = chosen.queues;
      if (chosen.note) process.stderr.write(`${chosen.note}\n`);
    } else {
      // Named explicitly: notify without SMTP_URL is refused at start (startWorkers), not silently dropped.
      queues = argv.queue
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean);
      const unknown = queues.filter((q) => !(QUEUE_NAMES as string[]).includes(q));
      if (unknown.length || queues.length === 0)
        throw new UserInputError('config', `--queue ${argv.queue}: unknown queue; use ${QUEUE_NAMES.join(', ')}`);
    }
    const pool = startWorkers(settings, { queues: queues as QueueName[], auditConcurrency: argv.concurrency });
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`nnaudit worker: ${signal}: finishing active jobs, taking no new ones\n`);
        void pool.close(argv.shutdownGrace * 1000).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write('nnaudit worker: stopped\n');
    // A connection that never closed cleanly (Redis went away mid-shutdown) may hold a reconnect timer: end as soon as
    // the exit code is set rather than linger. Lingering 500 ms let such a connection, its listeners gone with BullMQ's
    // close, print "[ioredis] Unhandled error event" and a stack trace after "stopped". unref: when nothing else is
    // left the process simply ends first.
    setImmediate(() => process.exit()).unref();
    return 0;
  });
}
