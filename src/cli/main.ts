import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import * as auditCmd from './commands/audit.js';
import * as gatherCmd from './commands/gather.js';
import * as analyzeCmd from './commands/analyze.js';
import * as demoCmd from './commands/demo.js';
import * as renderCmd from './commands/render.js';
import * as workerCmd from './commands/worker.js';
import * as enqueueCmd from './commands/enqueue.js';
import * as scheduleCmd from './commands/schedule.js';
import * as fixCmd from './commands/fix.js';
import { jobsCommand, statusCommand } from './commands/jobs.js';
import { VERSION } from '../version.js';

/** The nnaudit command line. Only this layer calls process.exit (via process.exitCode). */
export async function main(argv = hideBin(process.argv)): Promise<void> {
  await yargs(argv)
    .scriptName('nnaudit')
    .usage('$0 <command> [options]\n\nDiagnose a neural network: dead ReLUs, vanishing/exploding gradients, over/underfitting, saturation, NaNs.')
    .command(auditCmd)
    .command(gatherCmd)
    .command(analyzeCmd)
    .command(renderCmd)
    .command(demoCmd)
    .command(fixCmd)
    .command(workerCmd)
    .command(enqueueCmd)
    .command(scheduleCmd)
    .command(jobsCommand)
    .command(statusCommand)
    .demandCommand(1, 'Say which command to run (nnaudit --help lists them).')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`nnaudit: ${msg}\nRun 'nnaudit <command> --help' for usage and examples.\n`);
      // Usage errors stop here: returning would let yargs run the command anyway.
      process.exit(2);
    })
    .parseAsync();
}
