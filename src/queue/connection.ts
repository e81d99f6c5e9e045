import type { RedisOptions } from 'ioredis';
import { UserInputError } from '../errors.js';
import type { QueueSettings } from './settings.js';

/**
 * ioredis options from a redis:// or rediss:// URL (user, password, db, TLS). Workers need
 * maxRetriesPerRequest: null so a Redis restart pauses them instead of failing their commands;
 * producers fail fast instead, so a script enqueuing without Redis hears about it.
 */
export function redisOptions(url: string, role: 'worker' | 'producer'): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserInputError(
      'config',
      `REDIS_URL=${url} is not a URL (expected redis://[user:password@]host:port[/db])`,
    );
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UserInputError('config', `REDIS_URL: database "${u.pathname.slice(1)}" is not a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(200 * times, 5000) }
      : {
          maxRetriesPerRequest: 3,
          enableOfflineQueue: false,
          connectTimeout: 5000,
          retryStrategy: (times: number) => (times > 3 ? null : 300),
        }),
  };
}

/** Describes a URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Turns a connection failure into a user-facing error that names the (redacted) URL and the fix. */
export function wrapRedisError(e: unknown, settings: QueueSettings): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (
    /ECONNREFUSED|ENOTFOUND|Connection is closed|Stream isn't writeable|ETIMEDOUT|enableOfflineQueue|None of startup nodes|refresh slots cache|Cluster isn't ready|CLUSTERDOWN/i.test(
      msg,
    )
  ) {
    if (settings.clusterNodes) {
      return new UserInputError(
        'queue',
        `cannot reach the Redis Cluster at ${settings.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}: ${msg}. ` +
          'Check REDIS_CLUSTER_NODES (any reachable node will do).',
      );
    }
    return new UserInputError(
      'queue',
      `cannot reach Redis at ${redactUrl(settings.redisUrl)}: ${msg}. ` + 'Start one (redis-server) or set REDIS_URL.',
    );
  }
  return e instanceof Error ? e : new Error(msg);
}
