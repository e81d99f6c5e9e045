import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { audit } from '../../audit/audit.js';
import { tryFixes } from '../../fix/fix-spec.js';
import { fixSummary, fixTable, writeFixedSpec } from '../../fix/report.js';
import { progressReporter } from '../progress.js';
import { specFromFlags } from '../spec-from-flags.js';
import { runCommand } from '../run-command.js';
import { BACKENDS } from '../../gather/backend/backend.js';
import { SpecError } from '../../errors.js';
import { queueTrialRunner, type QueueTrialRunner } from '../../fix/queue-trials.js';
import { queueSettings } from '../../queue/settings.js';

export function builder(y: Argv) {
  return y
    .positional('spec', {
      type: 'string',
      demandOption: true,
      describe: 'Spec file (JSON or YAML) of a model nnaudit trains (model.train)',
    })
    .option('out', {
      alias: 'o',
      type: 'string',
      default: '.',
      describe: 'Folder for fixed.yaml (data paths are rewritten to stay valid from there)',
    })
    .option('max-trials', { type: 'number', default: 12, describe: 'Retrain at most this many candidates' })
    .option('time-budget', { type: 'number', default: 900, describe: 'Start no new candidate after this many seconds' })
    .option('seeds', {
      type: 'number',
      describe: 'Judge the original and every candidate over N seeds (seed, seed+1, ...)',
    })
    .option('backend', {
      choices: ['auto', ...BACKENDS] as const,
      default: 'auto' as const,
      describe: 'TensorFlow.js backend',
    })
    .option('queue', {
      type: 'boolean',
      default: false,
      describe:
        'Train the candidates as audit jobs on the queue (REDIS_URL, NNAUDIT_QUEUE_PREFIX), in parallel over the connected workers; fails at once when no worker is connected',
    })
    .option('parallel', {
      type: 'number',
      describe: 'With --queue: candidates at once (default: the number of audit workers connected)',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print the original result, its findings marked with verifiedFix, as JSON on stdout',
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
    .example(
      '$0 fix fixtures/specs/dead-relu.json --out out/dead-relu',
      'Writes out/dead-relu/fixed.yaml; then: nnaudit audit out/dead-relu/fixed.yaml',
    )
    .example(
      '$0 fix spec.yaml --queue',
      'Candidates run as queued audits on the worker pool (the baseline still trains here)',
    )
    .epilogue(
      'Exit codes: 0 fixed.yaml passes the gate, 1 no candidate passed it (fixed.yaml is written when one cleared a finding), 2 bad input.',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    if (!(argv.maxTrials >= 1))
      throw new SpecError(`--max-trials ${argv.maxTrials}: give a whole number of at least 1`);
    if (!(argv.timeBudget > 0))
      throw new SpecError(`--time-budget ${argv.timeBudget}: give a number of seconds above 0`);
    if (argv.parallel !== undefined && !(Number.isInteger(argv.parallel) && argv.parallel >= 1))
      throw new SpecError(`--parallel ${argv.parallel}: give a whole number of at least 1`);
    if (argv.parallel !== undefined && !argv.queue)
      throw new SpecError('--parallel needs --queue: in-process candidates train one at a time');
    const loaded = specFromFlags({ spec: argv.spec, ...(argv.seeds !== undefined ? { seeds: argv.seeds } : {}) });
    if (!('train' in loaded.spec.model))
      throw new SpecError(
        `${argv.spec}: model.load: nnaudit fix retrains the model, so it needs a spec with model.train`,
      );
    const label = loaded.spec.name ?? path.basename(argv.spec).replace(/\.(json|ya?ml)$/i, '');
    const log = (s: string) => {
      if (!argv.quiet) process.stderr.write(`${s}\n`);
    };
    const out = argv.json ? process.stderr : process.stdout;
    // Opened before the baseline trains: a queue with no worker is reported at once, not after the baseline.
    const runner = argv.queue
      ? await queueTrialRunner({
          settings: queueSettings(),
          baseDir: loaded.baseDir,
          label,
          ...(argv.parallel !== undefined ? { parallel: argv.parallel } : {}),
        })
      : null;
    if (runner)
      log(
        `${label}: candidates go to the audit queue: ${runner.workers} worker(s) connected, ${runner.concurrency} at once`,
      );
    try {
      return await fixWith(runner);
    } finally {
      await runner?.close();
    }

    async function fixWith(runner: QueueTrialRunner | null): Promise<0 | 1> {
      const baseline = await audit(loaded.spec, {
        baseDir: loaded.baseDir,
        backend: argv.backend,
        onProgress: progressReporter({ quiet: argv.quiet, label }),
      });
      log(
        `${label}: ${baseline.gate.verdict}; failing: ${
          baseline.findings
            .filter((f) => f.status === 'fail')
            .map((f) => f.id)
            .join(', ') || 'none'
        }`,
      );
      const report = await tryFixes(loaded.spec, baseline, {
        baseDir: loaded.baseDir,
        backend: argv.backend,
        maxTrials: argv.maxTrials,
        timeBudgetMs: argv.timeBudget * 1000,
        ...(runner ? { runner } : {}),
        onTrial: (t, i) =>
          log(
            `trial ${i}: ${t.repairs.map((r) => r.id).join(' + ')}: ${t.accepted ? `clears ${t.cleared.join(', ')}` : 'rejected'} (${t.verdict}, ${t.seconds.toFixed(1)} s)`,
          ),
      });
      if (report.trials.length) out.write(`${fixTable(report)}\n\n`);
      out.write(`${fixSummary(report)}\n`);
      if (report.best) {
        const file = writeFixedSpec(
          report.best.spec,
          report.best.repairs,
          path.join(argv.out, 'fixed.yaml'),
          loaded.baseDir,
        );
        out.write(`wrote ${file}${report.best.gatePassed ? '' : ' (it clears some findings; the gate still fails)'}\n`);
      }
      if (argv.json) process.stdout.write(`${JSON.stringify(baseline, null, 1)}\n`);
      return report.failing.length === 0 || report.best?.gatePassed ? 0 : 1;
    }
  });
}
