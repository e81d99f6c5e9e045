import type { AuditJobData } from './job-data.js';
import { withQueue } from './queues.js';
import type { QueueSettings } from './settings.js';
import { UserInputError } from '../errors.js';

export type ScheduleRepeat = { cron: string; tz?: string } | { everyMs: number };

export interface ScheduleInfo {
  name: string;
  repeat: string;
  next: string | null;
  label: string | null;
  email: string[];
  /** The next run is overdue (no worker took it): since when, and how many runs that is (known for --every). */
  missed: { since: string; runs: number | null } | null;
}

/** Grace before a due run counts as missed: a worker polls delayed jobs, it does not start them to the millisecond. */
export const MISSED_GRACE_MS = 60_000;

/** A schedule whose next run lies in the past was not run: BullMQ will run it once and skip the rest, so say so. */
export function missedRuns(
  next: number | undefined,
  every: number | undefined,
  now = Date.now(),
): ScheduleInfo['missed'] {
  if (next === undefined || now - next < MISSED_GRACE_MS) return null;
  return { since: new Date(next).toISOString(), runs: every ? Math.floor((now - next) / every) + 1 : null };
}

/** Adds or updates (same name) a recurring audit, as a BullMQ job scheduler. */
export async function upsertSchedule(
  settings: QueueSettings,
  name: string,
  repeat: ScheduleRepeat,
  data: AuditJobData,
): Promise<ScheduleInfo> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new UserInputError('queue', `schedule name "${name}": use letters, digits, . _ - only`);
  if ('tz' in repeat && repeat.tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: repeat.tz });
    } catch {
      throw new UserInputError('queue', `--tz ${repeat.tz}: not an IANA time zone (e.g. Europe/Berlin, UTC)`);
    }
  }
  const opts =
    'cron' in repeat ? { pattern: repeat.cron, ...(repeat.tz ? { tz: repeat.tz } : {}) } : { every: repeat.everyMs };
  await withQueue('audit', settings, async (queue) => {
    try {
      await queue.upsertJobScheduler(name, opts, { name: 'audit', data: { ...data, schedule: name } });
    } catch (e) {
      const msg = (e as Error).message;
      if ('cron' in repeat && !/ECONNREFUSED|Connection/i.test(msg))
        throw new UserInputError('queue', `--cron "${repeat.cron}": ${msg}`);
      throw e;
    }
  });
  return (await listSchedules(settings)).find((s) => s.name === name)!;
}

export function listSchedules(settings: QueueSettings): Promise<ScheduleInfo[]> {
  return withQueue('audit', settings, async (queue) => {
    const all = await queue.getJobSchedulers(0, -1, true);
    return all.map((s) => {
      const template = s.template?.data as Partial<AuditJobData> | undefined;
      return {
        name: s.key,
        repeat: s.pattern ? `cron "${s.pattern}"${s.tz ? ` ${s.tz}` : ''}` : `every ${s.every} ms`,
        next: s.next ? new Date(s.next).toISOString() : null,
        label: template?.label ?? null,
        email: template?.email ?? [],
        missed: missedRuns(s.next ?? undefined, s.every ? Number(s.every) : undefined),
      };
    });
  });
}

export function removeSchedule(settings: QueueSettings, name: string): Promise<boolean> {
  return withQueue('audit', settings, (queue) => queue.removeJobScheduler(name));
}
