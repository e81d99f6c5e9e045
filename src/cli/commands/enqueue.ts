import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { enqueueAudit, waitForAudit } from '../../queue/producer.js';
import { fetchRunFiles } from '../../queue/fetch-run.js';
import { queueSettings } from '../../queue/settings.js';
import { withQueue } from '../../queue/queues.js';
import { progressReporter } from '../progress.js';
import { runCommand } from '../run-command.js';
import { SpecError, UserInputError } from '../../errors.js';
import { PRESET_NAMES } from '../../result/vocabulary.js';
import { withModelFlags, withSpecOverrides } from '../common-options.js';
import { specFromFlags } from '../spec-from-flags.js';

export function builder(y: Argv) {
  return withSpecOverrides(withModelFlags(y))
    .positional('spec', {
      type: 'string',
      describe: 'Spec file (JSON or YAML), or none with --model/--data; validated now, stored in the job',
    })
    .option('preset', { choices: PRESET_NAMES, describe: 'Gate preset (overrides the spec)' })
    .option('base-dir', {
      type: 'string',
      describe:
        "The folder the workers resolve relative paths against (default: the spec file's folder, or this one with --model); /data with docker-compose",
    })
    .option('email', {
      type: 'array',
      string: true,
      default: [] as string[],
      describe: 'Email the verdict and PDF to these addresses',
    })
    .option('wait', {
      type: 'boolean',
      default: false,
      describe: 'Show progress, then exit 0/1/2 with the gate verdict',
    })
    .option('dedupe', {
      type: 'boolean',
      default: false,
      describe: 'Do not add a second audit of the same spec while one is pending',
    })
    .option('pdf', {
      type: 'boolean',
      default: true,
      describe: 'Render report.pdf as well as report.html (--no-pdf: HTML only)',
    })
    .option('out', {
      alias: 'o',
      type: 'string',
      describe:
        'With --wait: write result.json and the report files here, from the run store in Redis (no shared folder needed)',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'No "already pending" note and, with --wait, no progress',
    })
    .example('$0 enqueue spec.json --email ml-team@example.com', 'Prints the job id')
    .example('$0 enqueue spec.json --wait', 'Progress bar, then the exit code of the gate (0 pass, 1 fail, 2 error)')
    .example(
      '$0 enqueue --model m/model.json --data d.csv --label y --wait',
      'A saved model, no spec: the same flags as audit',
    )
    .example(
      '$0 enqueue spec.json --wait --out out/today',
      'Also write result.json, report.html and report.pdf here, whichever host ran it',
    )
    .example(
      '$0 enqueue --model churn/model.keras --data churn/churn.csv --label Exited --base-dir /data',
      'docker-compose: run from ./data, which the workers see as /data',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    if (!argv.spec && !argv.model) {
      throw new SpecError(
        'nothing to enqueue: give a spec file (nnaudit enqueue spec.json) or a model and its data (nnaudit enqueue --model model.json --data data.csv --label y)',
      );
    }
    // The same spec `audit` would run, so a job means what the command line says.
    const loaded = specFromFlags({ ...argv, spec: argv.spec, probeSize: argv.probeSize });
    const label =
      loaded.spec.name ?? (loaded.file ? path.basename(loaded.file).replace(/\.(json|ya?ml)$/i, '') : 'audit');
    const settings = queueSettings();
    const { jobId, deduplicated } = await enqueueAudit(loaded.spec, {
      settings,
      email: argv.email.map(String),
      dedupe: argv.dedupe,
      formats: argv.pdf ? ['html', 'pdf'] : ['html'],
      baseDir: argv.baseDir ?? loaded.baseDir,
      label,
    });
    process.stdout.write(`${jobId}\n`);
    if (deduplicated && !argv.quiet) process.stderr.write(`an identical audit is already pending: job ${jobId}\n`);
    if (argv.email.length && (await withQueue('notify', settings, (q) => q.getWorkersCount())) === 0) {
      // A warning, not an error: workers may start later, and whether one will have SMTP_URL is not knowable here.
      process.stderr.write(
        'nnaudit: warning: no worker is sending email right now (a worker sends email only when SMTP_URL is set); ' +
          `the email for job ${jobId} waits in the notify queue until one starts\n`,
      );
    }
    if (argv.out && !argv.wait)
      throw new SpecError('--out needs --wait (or fetch the files later: nnaudit status <job id> --out DIR)');
    if (!argv.wait) return 0;
    // A connection that could not close cleanly (Redis gone again at the end) may hold a reconnect timer: the
    // verdict is known by then, so end with it. unref: when nothing is left the process simply ends first.
    const end = () => setTimeout(() => process.exit(), 500).unref();
    const report = progressReporter({ quiet: argv.quiet, label: `job ${jobId}` });
    try {
      const pointer = await waitForAudit(jobId, {
        settings,
        log: (line) => process.stderr.write(`${line}\n`),
        onProgress: (p) => {
          if (p.phase === 'train')
            report({
              phase: 'train',
              epoch: p.epoch,
              epochs: p.epochs,
              ...(typeof p.loss === 'number' ? { logs: { loss: p.loss } } : {}),
            });
          if (p.phase === 'done') report({ phase: 'done', epoch: 0, epochs: 0 });
        },
      });
      const findings = Object.entries(pointer.findings)
        .map(([id, s]) => `  ${s.padEnd(13)} ${id}`)
        .join('\n');
      process.stdout.write(`${pointer.modelName}: ${pointer.verdict}\n${findings}\nresult: ${pointer.resultPath}\n`);
      if (argv.out) {
        const fetched = await fetchRunFiles(settings, jobId, pointer, path.resolve(argv.out));
        process.stdout.write(fetched.written.map((f) => `wrote ${f}\n`).join(''));
        for (const note of fetched.notes) process.stderr.write(`nnaudit: ${note}\n`);
      }
      end();
      return pointer.exitCode;
    } catch (e) {
      end();
      if (e instanceof UserInputError) throw e;
      throw new UserInputError('queue', `job ${jobId} failed: ${(e as Error).message}`);
    }
  });
}
