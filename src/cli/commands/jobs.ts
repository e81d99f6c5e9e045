import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { escapeControl } from '../../util/terminal-text.js';
import { JOB_STATES, listJobs, jobStatus, type JobState } from '../../queue/inspect.js';
import { queueSettings } from '../../queue/settings.js';
import { runCommand } from '../run-command.js';
import { countFlag } from '../count-flag.js';
import { fetchRunFiles } from '../../queue/fetch-run.js';
import { UserInputError } from '../../errors.js';

export const jobsCommand = {
  builder: (y: Argv) =>
    y
      .option('state', { choices: JOB_STATES, describe: 'Only jobs in this state (default: all)' })
      .option('limit', { type: 'number', default: 50, describe: 'How many of the newest jobs to list' })
      .example('$0 jobs --state failed', 'Failed audits with their reasons')
      .example('$0 jobs --limit 5', 'The 5 newest jobs: id, state, label, created, attempts, verdict or progress')
      .epilogue(
        'Reads the queue at REDIS_URL (default redis://127.0.0.1:6379) under NNAUDIT_QUEUE_PREFIX (default nnaudit).',
      ),
  handler: (argv: ArgumentsCamelCase<{ state?: JobState; limit: number }>) =>
    runCommand(async () => {
      const rows = await listJobs(
        queueSettings(),
        argv.state ? [argv.state] : JOB_STATES,
        countFlag('--limit', argv.limit),
      );
      if (rows.length === 0) process.stdout.write('no jobs\n');
      for (const r of rows) {
        const tail = r.failedReason ? `reason: ${r.failedReason}` : (r.verdict ?? r.progress);
        // Labels and reasons come from specs: escaped, so a name cannot forge rows or colour the terminal.
        process.stdout.write(
          `${r.id}\t${r.state}\t${escapeControl(r.label)}\t${r.createdAt}\tattempts ${r.attempts}\t${escapeControl(String(tail ?? ''))}\n`,
        );
      }
      return 0;
    }),
};

export const statusCommand = {
  builder: (y: Argv) =>
    y
      .positional('jobId', {
        type: 'string',
        demandOption: true,
        describe: 'The id enqueue printed (nnaudit jobs lists them)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the job, its result pointer and stages as JSON',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: "Write the finished job's result.json and report files here, from the run store in Redis",
      })
      .example(
        '$0 status 42 --out out/42',
        'Fetch result.json, report.html and report.pdf of job 42, whichever host ran it',
      )
      .example('$0 status 42', 'State, progress, verdict, result and report paths, and the render/email stages')
      .epilogue(
        'Reads the queue at REDIS_URL (default redis://127.0.0.1:6379) under NNAUDIT_QUEUE_PREFIX (default nnaudit).',
      ),
  handler: (argv: ArgumentsCamelCase<{ jobId: string; json: boolean; out?: string | undefined }>) =>
    runCommand(async () => {
      const settings = queueSettings();
      const s = await jobStatus(settings, String(argv.jobId));
      if (argv.out) {
        const runId = (s.returnvalue as { runId?: unknown } | null)?.runId;
        if (s.state !== 'completed' || typeof runId !== 'string')
          throw new UserInputError('queue', `job ${s.id} is ${s.state}: its files exist once it has completed`);
        const fetched = await fetchRunFiles(settings, s.id, { runId }, path.resolve(argv.out), { renderWaitMs: 0 });
        process.stdout.write(fetched.written.map((f) => `wrote ${f}\n`).join(''));
        for (const note of fetched.notes) process.stderr.write(`nnaudit: ${note}\n`);
      }
      if (argv.json) {
        process.stdout.write(`${JSON.stringify(s, null, 1)}\n`);
        return 0;
      }
      const lines = [
        `job ${s.id} (${s.label}): ${s.state}${s.progress ? `, ${s.progress}` : ''}, attempts ${s.attempts}`,
      ];
      if (s.failedReason) lines.push(`  failed: ${s.failedReason}`);
      const rv = s.returnvalue as { verdict?: string; resultPath?: string } | null;
      if (rv?.verdict) lines.push(`  verdict: ${rv.verdict}`, `  result: ${rv.resultPath}`);
      for (const st of s.stages) {
        const out = st.returnvalue as { htmlPath?: string; pdfPath?: string; messageId?: string; to?: string[] } | null;
        const detail = st.failedReason
          ? `failed: ${st.failedReason}`
          : (out?.pdfPath ?? out?.htmlPath ?? (out?.to ? `sent to ${out.to.join(', ')}` : ''));
        lines.push(`  ${st.stage}: ${st.state}${detail ? `, ${detail}` : ''}`);
        if (out?.htmlPath && out.pdfPath) lines.push(`    html: ${out.htmlPath}`);
      }
      process.stdout.write(`${lines.map(escapeControl).join('\n')}\n`);
      return 0;
    }),
};
