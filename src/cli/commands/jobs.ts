import type { Argv, ArgumentsCamelCase } from 'yargs';
import { JOB_STATES, listJobs, jobStatus, type JobState } from '../../queue/inspect.js';
import { queueSettings } from '../../queue/settings.js';
import { runCommand } from '../run-command.js';

export const jobsCommand = {
  builder: (y: Argv) => y
    .option('state', { choices: JOB_STATES, describe: 'Only jobs in this state (default: all)' })
    .option('limit', { type: 'number', default: 50 })
    .example('$0 jobs --state failed', 'Failed audits with their reasons'),
  handler: (argv: ArgumentsCamelCase<{ state?: JobState; limit: number }>) => runCommand(async () => {
    const rows = await listJobs(queueSettings(), argv.state ? [argv.state] : JOB_STATES, argv.limit);
    if (rows.length === 0) process.stdout.write('no jobs\n');
    for (const r of rows) {
      const tail = r.failedReason ? `reason: ${r.failedReason}` : r.verdict ?? r.progress;
      process.stdout.write(`${r.id}\t${r.state}\t${r.label}\t${r.createdAt}\tattempts ${r.attempts}\t${tail}\n`);
    }
    return 0;
  }),
};

export const statusCommand = {
  builder: (y: Argv) => y.positional('jobId', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false })
    .example('$0 status 42', ''),
  handler: (argv: ArgumentsCamelCase<{ jobId: string; json: boolean }>) => runCommand(async () => {
    const s = await jobStatus(queueSettings(), String(argv.jobId));
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(s, null, 1)}\n`);
      return 0;
    }
    const lines = [`job ${s.id} (${s.label}): ${s.state}${s.progress ? `, ${s.progress}` : ''}, attempts ${s.attempts}`];
    if (s.failedReason) lines.push(`  failed: ${s.failedReason}`);
    const rv = s.returnvalue as { verdict?: string; resultPath?: string } | null;
    if (rv?.verdict) lines.push(`  verdict: ${rv.verdict}`, `  result: ${rv.resultPath}`);
    for (const st of s.stages) {
      const out = st.returnvalue as { htmlPath?: string; pdfPath?: string; messageId?: string; to?: string[] } | null;
      const detail = st.failedReason ? `failed: ${st.failedReason}` : out?.pdfPath ?? out?.htmlPath ?? (out?.to ? `sent to ${out.to.join(', ')}` : '');
      lines.push(`  ${st.stage}: ${st.state}${detail ? `, ${detail}` : ''}`);
      if (out?.htmlPath && out.pdfPath) lines.push(`    html: ${out.htmlPath}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }),
};
