import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Job } from 'bullmq';
import { chainedJobId, type AuditPointer } from './job-data.js';
import { openQueue } from './queues.js';
import { getRunFile, type StoredFile } from './run-store.js';
import type { QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';

export interface FetchedRun {
  written: string[];
  notes: string[];
}

/** How long a client waits for the render stage before writing what it has. */
export const RENDER_WAIT_MS = 10 * 60_000;

/**
 * Writes a finished job's result.json, and its reports once the render stage has run, into `outDir` from the run
 * store: the client needs no access to the workers' NNAUDIT_REPORTS_DIR. Files the store does not hold (not
 * rendered, over NNAUDIT_STORE_MAX_MB, expired) are named in `notes`.
 */
export async function fetchRunFiles(
  s: QueueSettings,
  jobId: string,
  pointer: Pick<AuditPointer, 'runId'>,
  outDir: string,
  opts: { renderWaitMs?: number; pollMs?: number } = {},
): Promise<FetchedRun> {
  const out: FetchedRun = { written: [], notes: [] };
  await mkdir(outDir, { recursive: true });
  const put = async (file: StoredFile): Promise<boolean> => {
    const bytes = await getRunFile(s, pointer.runId, file);
    if (!bytes) return false;
    const target = path.join(outDir, file);
    await writeFile(target, bytes);
    out.written.push(target);
    return true;
  };
  if (!(await put('result.json'))) {
    throw new UserInputError(
      'queue',
      `job ${jobId}: run ${pointer.runId} is not in the run store (expired after NNAUDIT_STORE_RETENTION_S, or the store is off)`,
    );
  }
  const render = await waitForRender(s, jobId, opts.renderWaitMs ?? RENDER_WAIT_MS, opts.pollMs ?? 1000);
  if (render !== 'completed') {
    out.notes.push(
      render === 'failed'
        ? 'the render stage failed: no report files (nnaudit status shows why)'
        : `the render stage has not finished: no report files yet (nnaudit status ${jobId} --out ${outDir} fetches them later)`,
    );
    return out;
  }
  for (const file of ['report.html', 'report.pdf'] as const) {
    if (!(await put(file)) && file === 'report.html')
      out.notes.push(`${file} is not in the run store (over NNAUDIT_STORE_MAX_MB?)`);
  }
  return out;
}

async function waitForRender(
  s: QueueSettings,
  jobId: string,
  waitMs: number,
  pollMs: number,
): Promise<'completed' | 'failed' | 'pending'> {
  const queue = openQueue('render', s);
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await Job.fromId(queue, chainedJobId(jobId, 'render'));
      const state = job ? await job.getState() : 'missing';
      if (state === 'completed' || state === 'failed') return state;
      if (Date.now() >= deadline) return 'pending';
      await new Promise((ok) => setTimeout(ok, pollMs));
    }
  } finally {
    await queue.close();
  }
}
