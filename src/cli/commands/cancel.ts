import type { Argv, ArgumentsCamelCase } from 'yargs';
import { cancelJob } from '../../queue/cancel.js';
import { KILL_GRACE_MS } from '../../queue/child-watch.js';
import { queueSettings } from '../../queue/settings.js';
import { runCommand } from '../run-command.js';

export function builder(y: Argv) {
  return y
    .positional('jobId', {
      type: 'string',
      demandOption: true,
      describe: 'The id enqueue printed (nnaudit jobs lists them)',
    })
    .example('$0 cancel 42', 'Prints removed | cancel sent | already finished');
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const outcome = await cancelJob(queueSettings(), String(argv.jobId));
    const text = {
      removed: 'removed (it had not started)',
      signalled: `cancel sent: the job stops at its next epoch (a job blocked elsewhere is killed within ${KILL_GRACE_MS / 1000} s)`,
      'already-finished': 'already finished: nothing to cancel',
    }[outcome];
    process.stdout.write(`job ${argv.jobId}: ${text}\n`);
    return 0;
  });
}
