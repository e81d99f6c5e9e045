import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { auditJobData } from '../../queue/producer.js';
import { listSchedules, removeSchedule, upsertSchedule } from '../../queue/schedules.js';
import { queueSettings } from '../../queue/settings.js';
import { runCommand } from '../run-command.js';
import { UserInputError } from '../../errors.js';

export function builder(y: Argv) {
  return y
    .positional('action', { choices: ['add', 'list', 'remove'] as const, demandOption: true })
    .positional('name', { type: 'string', describe: 'Schedule name (letters, digits, . _ -)' })
    .positional('spec', { type: 'string', describe: 'Spec file, for add' })
    .option('cron', { type: 'string', describe: 'Cron pattern, e.g. "0 2 * * *" (02:00 daily)' })
    .option('tz', { type: 'string', describe: 'IANA time zone for --cron, e.g. Europe/Berlin (default UTC)' })
    .option('every', { type: 'number', describe: 'Instead of --cron: run every N milliseconds' })
    .option('email', {
      type: 'array',
      string: true,
      default: [] as string[],
      describe: 'Email each verdict to these addresses',
    })
    .example(
      '$0 schedule add nightly-churn --cron "0 2 * * *" --tz Europe/Berlin spec.json --email a@b.c',
      'Nightly at 02:00 Berlin time',
    )
    .example('$0 schedule list', 'Name, repeat rule, next run')
    .example('$0 schedule remove nightly-churn', '');
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const settings = queueSettings();
    if (argv.action === 'list') {
      const all = await listSchedules(settings);
      if (all.length === 0) process.stdout.write('no schedules\n');
      for (const s of all) {
        const missed = s.missed
          ? `\tMISSED ${s.missed.runs ?? 'at least 1'} run(s) since ${s.missed.since}: no worker took them (start one: nnaudit worker)`
          : '';
        process.stdout.write(
          `${s.name}\t${s.repeat}\tnext ${s.next ?? '-'}\t${s.label ?? ''}${s.email.length ? `\temail ${s.email.join(',')}` : ''}${missed}\n`,
        );
      }
      return 0;
    }
    if (!argv.name) throw new UserInputError('queue', `schedule ${argv.action} needs a name`);
    if (argv.action === 'remove') {
      const removed = await removeSchedule(settings, argv.name);
      if (!removed)
        throw new UserInputError('queue', `no schedule named ${argv.name} (nnaudit schedule list shows them)`);
      process.stdout.write(`removed ${argv.name}\n`);
      return 0;
    }
    if (!argv.spec)
      throw new UserInputError(
        'queue',
        'schedule add needs a spec file: nnaudit schedule add <name> --cron "..." spec.json',
      );
    if ((argv.cron === undefined) === (argv.every === undefined))
      throw new UserInputError('queue', 'schedule add needs exactly one of --cron or --every');
    if (argv.every !== undefined && !(argv.every >= 1000))
      throw new UserInputError('queue', `--every ${argv.every}: at least 1000 ms`);
    // Validated now (a broken spec fails here, not at 02:00), and read again from the file at every run.
    const data = {
      ...auditJobData(argv.spec, { email: argv.email.map(String) }),
      specFile: realpathSync(path.resolve(argv.spec)),
    };
    const repeat =
      argv.cron !== undefined ? { cron: argv.cron, ...(argv.tz ? { tz: argv.tz } : {}) } : { everyMs: argv.every! };
    const info = await upsertSchedule(settings, argv.name, repeat, data);
    process.stdout.write(`${info.name}\t${info.repeat}\tnext ${info.next ?? '-'}\n`);
    return 0;
  });
}
