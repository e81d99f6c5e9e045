import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { UserInputError } from '../errors.js';
import { redisOptions, wrapRedisError } from './connection.js';
import type { QueueSettings } from './settings.js';

export type Role = 'worker' | 'producer';

/**
 * REDIS_CLUSTER_NODES=host:port,host:port: the seed nodes of a Redis Cluster. Any reachable master or replica will
 * do: the client reads the slot map from it and follows MOVED/ASK redirects and failovers. Every nnaudit key carries
 * the {prefix} hash tag, so a queue, its history and its stored results live in one slot.
 */
export interface HostPort {
  host: string;
  port: number;
}

export function parseClusterNodes(value: string): HostPort[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hostPort) => {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(hostPort);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) {
        throw new UserInputError(
          'config',
          `REDIS_CLUSTER_NODES: "${hostPort.slice(0, 80)}" is not host:port (e.g. REDIS_CLUSTER_NODES=10.0.0.1:7000,10.0.0.2:7000)`,
        );
      }
      return { host: m[1]!, port };
    });
}

/**
 * The ioredis Cluster client for these settings. Credentials and TLS come from REDIS_URL (its host is not used);
 * workers retry forever as BullMQ requires (maxRetriesPerRequest: null), producers fail fast.
 */
function clusterClient(s: QueueSettings, role: Role): Cluster {
  const node = redisOptions(s.redisUrl, role);
  if (node.db)
    throw new UserInputError('config', `REDIS_URL names database ${node.db}: a Redis Cluster has only database 0`);
  const redis: RedisOptions = {
    ...(node.username ? { username: node.username } : {}),
    ...(node.password ? { password: node.password } : {}),
    ...(node.tls ? { tls: node.tls } : {}),
    maxRetriesPerRequest: node.maxRetriesPerRequest ?? null,
    connectTimeout: node.connectTimeout ?? 10_000,
  };
  return new Cluster(s.clusterNodes!, {
    redisOptions: redis,
    // Queue commands while the slot map is refreshed (a failover): a producer still fails once its retries run out.
    enableOfflineQueue: true,
    // Follow a failover: re-read the slot map and retry a redirected command instead of failing it.
    clusterRetryStrategy: (times) => (role === 'worker' ? Math.min(200 * times, 5000) : times > 3 ? null : 300),
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnMoved: 50,
    slotsRefreshTimeout: 5000,
  });
}

/** A client of its own (the caller closes it): a Cluster client with REDIS_CLUSTER_NODES, else one Redis. */
export function newRedisClient(s: QueueSettings, role: Role, extra: RedisOptions = {}): Redis | Cluster {
  if (s.clusterNodes) return clusterClient(s, role);
  return new Redis({ ...redisOptions(s.redisUrl, role), ...extra });
}

/**
 * What BullMQ's `connection` takes: connection options for one Redis (BullMQ opens and closes its own), or a Cluster
 * client, which BullMQ treats as shared and never closes: `release` closes it after the queue or worker is closed.
 */
export function bullConnection(
  s: QueueSettings,
  role: Role,
): { connection: RedisOptions | Cluster; release: () => Promise<void> } {
  if (!s.clusterNodes) return { connection: redisOptions(s.redisUrl, role), release: async () => undefined };
  const client = clusterClient(s, role);
  return {
    connection: client,
    release: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Closes `target` (a Queue, QueueEvents or Worker), then the connection it was given. */
export function closingWith<T extends { close(force?: boolean): Promise<void> }>(
  target: T,
  release: () => Promise<void>,
): T {
  const close = target.close.bind(target);
  target.close = async (force?: boolean) => {
    try {
      await close(force);
    } finally {
      await release();
    }
  };
  return target;
}

/**
 * Runs `fn` with a short-lived producer client (cluster-aware) and always closes it; connection failures become a
 * UserInputError naming REDIS_URL or REDIS_CLUSTER_NODES. For the history index and the run store.
 */
export async function withRedis<T>(s: QueueSettings, fn: (r: Redis | Cluster) => Promise<T>): Promise<T> {
  const r = newRedisClient(s, 'producer', { lazyConnect: true });
  try {
    if (r.status === 'wait') await r.connect();
    return await fn(r);
  } catch (e) {
    throw e instanceof UserInputError ? e : wrapRedisError(e, s);
  } finally {
    r.disconnect();
  }
}
