import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands/index.js';
import { VERSION } from '../version.js';
import { isUserInputError } from '../errors.js';

/** `nnaudit --help`'s examples (test/docs/examples.test.ts parses them as it does every command's). */
export const TOP_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['$0 demo', 'Audit the bundled fixtures and compare each verdict with its known problem'],
  ['$0 audit spec.yaml --out out/ --format json,html', 'Train a model from a spec, diagnose it, gate on the verdict'],
  [
    '$0 audit --model model.keras --data photos/ --out out/',
    'Audit a saved model (tfjs, Keras .h5 or .keras) on your data, no spec',
  ],
];

/** The nnaudit command line. Only this layer calls process.exit (via process.exitCode). */
export async function main(argv = hideBin(process.argv)): Promise<void> {
  const cli = yargs(argv)
    .scriptName('nnaudit')
    .usage(
      '$0 <command> [options]\n\nDiagnose a neural network: dead ReLUs, vanishing/exploding gradients, over/underfitting, saturation, NaNs.',
    );
  for (const c of COMMANDS) c.register(cli);
  for (const [command, text] of TOP_EXAMPLES) cli.example(command, text);
  cli.epilogue(
    'Each command has its own examples and defaults: nnaudit <command> --help. ' +
      'Exit codes: 0 gate passed, 1 an error-level assertion failed, 2 bad input or a run error.',
  );
  try {
    await cli
      .demandCommand(1, 'Say which command to run (nnaudit --help lists them).')
      .strict()
      .recommendCommands()
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((msg, err) => {
        if (err) throw err;
        // yargs writes "Invalid values:\n  Argument: ..." on two lines: one line says it, then the pointer to --help.
        process.stderr.write(
          `nnaudit: ${msg.replace(/:?\n\s*/g, ': ')}\nRun 'nnaudit <command> --help' for usage and examples.\n`,
        );
        // Usage errors stop here: returning would let yargs run the command anyway.
        process.exit(2);
      })
      .parseAsync();
  } catch (e) {
    // Errors thrown while loading a command's module (handlers report their own through runCommand).
    if (!isUserInputError(e)) throw e;
    process.stderr.write(`nnaudit: error: ${e.message}\n`);
    process.exitCode = 2;
  }
}
