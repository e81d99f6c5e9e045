import path from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../errors.js';
import { formatZodIssues } from '../util/zod-issues.js';
import { parseClusterNodes, type HostPort } from './redis-client.js';

/** Every queue setting comes from the environment, read and validated here once. */
const envSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** Seed nodes of a Redis Cluster (host:port,host:port); REDIS_URL then gives only credentials and TLS. */
  REDIS_CLUSTER_NODES: z.string().min(1).optional(),
  /** Key prefix; wrapped in {braces} (a Redis Cluster hash tag) so all of a queue's keys share one slot. */
  NNAUDIT_QUEUE_PREFIX: z.string().min(1).default('nnaudit'),
  NNAUDIT_REPORTS_DIR: z.string().min(1).default('nnaudit-reports'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  NNAUDIT_MAIL_FROM: z.string().min(3).default('nnaudit <nnaudit@localhost>'),
  NNAUDIT_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(3),
  NNAUDIT_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  /** How long completed/failed jobs are kept (listing, status), in seconds. */
  NNAUDIT_KEEP_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  /** How long a run's result and reports stay in Redis (the run store), in seconds; default: as long as its job. */
  NNAUDIT_STORE_RETENTION_S: z.coerce.number().int().min(60).optional(),
  /** Largest file (gzipped) the run store keeps, MiB; 0 turns the store off (hosts must then share the reports folder). */
  NNAUDIT_STORE_MAX_MB: z.coerce.number().min(0).max(512).default(25),
  /** Audit job lock: a worker that dies loses its job to another after about this long. */
  NNAUDIT_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Wall-clock cap of one audit; a spec's limits.timeoutSeconds can only lower it. One hour: 10x the slowest corpus audit. */
  NNAUDIT_JOB_TIMEOUT_S: z.coerce.number().int().min(1).default(3600),
  /** Memory cap of one audit child (heap limit and RSS watchdog), MiB; limits.memoryMb can only lower it. */
  NNAUDIT_JOB_MEMORY_MB: z.coerce.number().int().min(128).default(4096),
});

export interface QueueSettings {
  redisUrl: string;
  /** Set: every client is a Redis Cluster client seeded with these nodes. */
  clusterNodes: HostPort[] | null;
  prefix: string;
  reportsDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  attempts: number;
  backoffMs: number;
  keepSeconds: number;
  lockMs: number;
  jobTimeoutMs: number;
  jobMemoryMb: number;
  storeRetentionS: number;
  storeMaxBytes: number;
}

export function queueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success)
    throw new UserInputError('config', `invalid environment:\n${formatZodIssues(parsed.error, clean)}`);
  const e = parsed.data;
  const prefix = /^\{.*\}$/.test(e.NNAUDIT_QUEUE_PREFIX) ? e.NNAUDIT_QUEUE_PREFIX : `{${e.NNAUDIT_QUEUE_PREFIX}}`;
  return {
    redisUrl: e.REDIS_URL,
    clusterNodes: e.REDIS_CLUSTER_NODES ? parseClusterNodes(e.REDIS_CLUSTER_NODES) : null,
    prefix,
    reportsDir: path.resolve(e.NNAUDIT_REPORTS_DIR),
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.NNAUDIT_MAIL_FROM,
    attempts: e.NNAUDIT_ATTEMPTS,
    backoffMs: e.NNAUDIT_BACKOFF_MS,
    keepSeconds: e.NNAUDIT_KEEP_SECONDS,
    lockMs: e.NNAUDIT_LOCK_MS,
    jobTimeoutMs: e.NNAUDIT_JOB_TIMEOUT_S * 1000,
    jobMemoryMb: e.NNAUDIT_JOB_MEMORY_MB,
    storeRetentionS: e.NNAUDIT_STORE_RETENTION_S ?? e.NNAUDIT_KEEP_SECONDS,
    storeMaxBytes: Math.round(e.NNAUDIT_STORE_MAX_MB * 1024 * 1024),
  };
}
