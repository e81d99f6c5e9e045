import type { Argv, ArgumentsCamelCase } from 'yargs';
import { errorMessage, UserInputError } from '../../errors.js';

/** What a command module exports: its options and what it does. Name and description live in COMMANDS below. */
export interface CommandModule<T> {
  builder: (y: Argv) => Argv<T>;
  handler: (argv: ArgumentsCamelCase<T>) => Promise<void>;
}

export interface LazyCommand {
  command: string;
  describe: string;
  /** Registers the command; its module (and everything it imports: tfjs, BullMQ, Puppeteer) loads only when it runs. */
  register: (y: Argv) => Argv;
  /** The command's module, for tests that parse its documented examples without running them. */
  load: () => Promise<CommandModule<unknown>>;
}

function lazy<T>(command: string, describe: string, importModule: () => Promise<CommandModule<T>>): LazyCommand {
  const name = command.split(' ')[0]!;
  const load = async (): Promise<CommandModule<T>> => {
    try {
      return await importModule();
    } catch (e) {
      // A dependency this command needs is not installed (or its native part fails to load): say which, not a stack.
      throw new UserInputError(
        'install',
        `nnaudit ${name} cannot start: ${errorMessage(e).split('\n')[0]}. Reinstall nnaudit's dependencies (npm install) or use a command that does not need it (render and analyze need no TensorFlow.js).`,
        { cause: e },
      );
    }
  };
  return {
    command,
    describe,
    load: load as () => Promise<CommandModule<unknown>>,
    register: (y) =>
      y.command<T>(
        command,
        describe,
        // yargs awaits an async builder, and calls it only for the command being run (or its --help).
        async (sub) => (await load()).builder(sub),
        async (argv) => (await load()).handler(argv),
      ),
  };
}

/**
 * Every CLI command, in --help order. `nnaudit --help` lists them without importing any; `nnaudit render`
 * imports only render's module, so it runs where @tensorflow/* is not installed.
 */
export const COMMANDS: readonly LazyCommand[] = [
  lazy(
    'audit [spec]',
    'Train or load a model, diagnose it, write result.json and gate on the verdict',
    () => import('./audit.js'),
  ),
  lazy(
    'gather [spec]',
    'Only the first half: train or load and record artifacts.json (no analysis)',
    () => import('./gather.js'),
  ),
  lazy(
    'analyze <artifacts>',
    'Only the second half: analyze an artifacts.json, write result.json and gate (no tfjs)',
    () => import('./analyze.js'),
  ),
  lazy(
    'render <result>',
    'Re-render report.html (and report.pdf) from a result.json, without TensorFlow.js',
    () => import('./render.js'),
  ),
  lazy(
    'demo',
    'Audit every bundled fixture in-process and compare each verdict with its known ground truth',
    () => import('./demo.js'),
  ),
  lazy(
    'fix <spec>',
    'Retrain with candidate repairs for each failing finding, keep those that verifiably clear it, write fixed.yaml',
    () => import('./fix.js'),
  ),
  lazy(
    'worker',
    'Process queued audits, renders and emails (REDIS_URL, NNAUDIT_REPORTS_DIR, SMTP_URL)',
    () => import('./worker.js'),
  ),
  lazy(
    'enqueue [spec]',
    'Queue an audit (a spec, or --model/--data as for audit) for the workers; prints the job id (--wait: follow it and exit with the gate code)',
    () => import('./enqueue.js'),
  ),
  lazy(
    'schedule <action> [name] [spec]',
    'Recurring audits: schedule add|list|remove (BullMQ job schedulers; adding a name again updates it)',
    () => import('./schedule.js'),
  ),
  lazy(
    'jobs',
    'List audit jobs: state, progress, verdict, failure reason',
    async () => (await import('./jobs.js')).jobsCommand,
  ),
  lazy(
    'history <name>',
    'Runs of a named audit or schedule, newest first, with their verdicts (each is compared with the one before)',
    () => import('./history.js'),
  ),
  lazy(
    'status <jobId>',
    'One audit job: state, progress, failure reason, verdict, report paths and its render/email stages',
    async () => (await import('./jobs.js')).statusCommand,
  ),
  lazy(
    'cancel <jobId>',
    'Cancel an audit job: remove it if waiting, stop it at the next epoch if running (not retried)',
    () => import('./cancel.js'),
  ),
];
