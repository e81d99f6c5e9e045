import { gunzipSync, gzipSync } from 'node:zlib';
import { withRedis } from './redis-client.js';
import type { QueueSettings } from './settings.js';

/** The files of a run that travel through Redis, so hosts that share only Redis can render, email and fetch them. */
export const STORED_FILES = ['result.json', 'report.html', 'report.pdf'] as const;
export type StoredFile = (typeof STORED_FILES)[number];

/** `{prefix}:store:<runId>:<file>`: the prefix's hash tag keeps them in the queue's slot on a Redis Cluster. */
export const storeKey = (s: QueueSettings, runId: string, file: StoredFile) => `${s.prefix}:store:${runId}:${file}`;

/**
 * Keeps one file of a run in Redis, gzipped, for `storeRetentionS` seconds. A file whose compressed size is over
 * `storeMaxBytes` is not stored (returns false): it stays only in NNAUDIT_REPORTS_DIR, and clients say so.
 */
export async function putRunFile(
  s: QueueSettings,
  runId: string,
  file: StoredFile,
  bytes: Uint8Array,
): Promise<boolean> {
  if (s.storeMaxBytes === 0) return false;
  const packed = gzipSync(bytes, { level: 6 });
  if (packed.length > s.storeMaxBytes) return false;
  await withRedis(s, (r) => r.set(storeKey(s, runId, file), packed, 'EX', s.storeRetentionS));
  return true;
}

/** A stored file of a run, or null when it was never stored or has expired. */
export async function getRunFile(s: QueueSettings, runId: string, file: StoredFile): Promise<Buffer | null> {
  const packed = await withRedis(s, (r) => r.getBuffer(storeKey(s, runId, file)));
  return packed ? gunzipSync(packed) : null;
}
