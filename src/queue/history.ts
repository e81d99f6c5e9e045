import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { withRedis } from './redis-client.js';
import type { QueueSettings } from './settings.js';
import { runSummarySchema, summarizeRun, TREND_RUNS, type RunSummary } from '../result/baseline.js';
import { applyBaseline } from '../gate/apply-baseline.js';
import { upgradeResult } from '../result/upgrade.js';
import type { AuditResult } from '../result/schema.js';
import { UserInputError } from '../errors.js';

/**
 * The run history of named audits and schedules, in Redis beside the queue (results stay files): per name, a
 * sorted set of run ids by start time and a hash of run id -> summary (verdict, per-analyzer values, result path).
 * Keyed by run id, so a retried job that records its run again changes nothing.
 */
export const historyEntrySchema = runSummarySchema.extend({ resultPath: z.string() });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** Runs kept per name; older ones drop out of the index (their result files stay where they are). */
export const MAX_HISTORY = 500;

const NAME = /^[A-Za-z0-9._-]{1,200}$/;
const keys = (s: QueueSettings, name: string) => ({
  order: `${s.prefix}:history:${name}`,
  runs: `${s.prefix}:history:${name}:runs`,
});

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new UserInputError(
      'queue',
      `history name "${name}": use letters, digits, . _ - only (the audit's label or schedule name)`,
    );
}

/** Records one run of `name` (idempotent per run id) and trims the index to MAX_HISTORY runs. */
export async function recordRun(
  s: QueueSettings,
  name: string,
  result: AuditResult,
  resultPath: string,
): Promise<void> {
  checkName(name);
  const k = keys(s, name);
  const entry: HistoryEntry = { ...summarizeRun(result), resultPath };
  await withRedis(s, async (r) => {
    await r
      .multi()
      .hset(k.runs, entry.runId, JSON.stringify(entry))
      .zadd(k.order, Date.parse(entry.date) || Date.now(), entry.runId)
      .exec();
    const excess = (await r.zcard(k.order)) - MAX_HISTORY;
    if (excess > 0) {
      const old = await r.zrange(k.order, 0, excess - 1);
      await r
        .multi()
        .zrem(k.order, ...old)
        .hdel(k.runs, ...old)
        .exec();
    }
  });
}

/** The last `limit` runs of `name`, oldest first. Entries that no longer parse are skipped, not fatal. */
export async function listRuns(s: QueueSettings, name: string, limit = 50): Promise<HistoryEntry[]> {
  checkName(name);
  const k = keys(s, name);
  return withRedis(s, async (r) => {
    const ids = await r.zrange(k.order, -Math.max(1, limit), -1);
    if (ids.length === 0) return [];
    const raw = await r.hmget(k.runs, ...ids);
    return raw.flatMap((text) => {
      if (!text) return [];
      try {
        const parsed = historyEntrySchema.safeParse(JSON.parse(text));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  });
}

/**
 * The result compared with the previous run of the same name (the newest earlier run whose result file is still
 * readable), with the last runs as its trend. The first run of a name comes back unchanged.
 */
export async function compareWithPrevious(s: QueueSettings, name: string, result: AuditResult): Promise<AuditResult> {
  const runs = (await listRuns(s, name, TREND_RUNS + 5)).filter(
    (e) => e.runId !== result.run.id && e.date <= result.run.startedAt,
  );
  for (const prev of [...runs].reverse()) {
    let base: AuditResult;
    try {
      base = upgradeResult(JSON.parse(await readFile(prev.resultPath, 'utf8')), prev.resultPath);
    } catch {
      continue; // deleted or unreadable: compare with the one before
    }
    const earlier: RunSummary[] = runs.map(({ resultPath: _p, ...summary }) => summary);
    return applyBaseline(result, base, `previous run of ${name}`, earlier);
  }
  return result;
}
