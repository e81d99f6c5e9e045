import type { Argv, ArgumentsCamelCase } from 'yargs';
import { listRuns } from '../../queue/history.js';
import { queueSettings } from '../../queue/settings.js';
import { runCommand } from '../run-command.js';
import { countFlag } from '../count-flag.js';

export function builder(y: Argv) {
  return y
    .positional('name', {
      type: 'string',
      demandOption: true,
      describe: "A schedule name, or the label of queued audits (the spec's name)",
    })
    .option('limit', { type: 'number', default: 20, describe: 'How many of the latest runs' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the runs as JSON' })
    .example(
      '$0 history nightly-churn',
      'Every recorded run of the schedule: date, run id, verdict, what failed, result file',
    )
    .epilogue(
      'Runs are recorded by the queue workers (REDIS_URL). Each run is compared with the previous one of the same name.',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const runs = await listRuns(queueSettings(), argv.name, countFlag('--limit', argv.limit));
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 1)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write(`no runs recorded for "${argv.name}"\n`);
      return 0;
    }
    for (const r of [...runs].reverse()) {
      const bad = Object.entries(r.values)
        .filter(([, v]) => v.status === 'fail' || v.status === 'error')
        .map(([id]) => id);
      process.stdout.write(
        `${r.date}\t${r.runId}\t${r.verdict}${bad.length ? ` (${bad.join(', ')})` : ''}\t${r.resultPath}\n`,
      );
    }
    return 0;
  });
}
