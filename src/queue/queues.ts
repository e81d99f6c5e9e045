import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { wrapRedisError } from './connection.js';
import { bullConnection, closingWith } from './redis-client.js';
import { UserInputError } from '../errors.js';
import { QUEUES, type QueueName } from './job-data.js';
import type { QueueSettings } from './settings.js';

/** Retries with exponential backoff for transient errors; finished jobs kept for listing, then trimmed. */
export function defaultJobOptions(s: QueueSettings): JobsOptions {
  return {
    attempts: s.attempts,
    backoff: { type: 'exponential', delay: s.backoffMs },
    removeOnComplete: { age: s.keepSeconds, count: 10_000 },
    removeOnFail: { age: s.keepSeconds, count: 10_000 },
  };
}

/**
 * Connection errors also reach the command that was waiting on Redis, which reports them once (wrapRedisError);
 * without a listener BullMQ prints each reconnect attempt's raw stack to stderr.
 */
const quiet = <T extends { on(event: 'error', fn: (e: Error) => void): unknown }>(emitter: T): T => {
  emitter.on('error', () => undefined);
  return emitter;
};

export function openQueue(name: QueueName, s: QueueSettings, role: 'worker' | 'producer' = 'producer'): Queue {
  const { connection, release } = bullConnection(s, role);
  return closingWith(
    quiet(new Queue(QUEUES[name], { connection, prefix: s.prefix, defaultJobOptions: defaultJobOptions(s) })),
    release,
  );
}

export function openQueueEvents(name: QueueName, s: QueueSettings): QueueEvents {
  const { connection, release } = bullConnection(s, 'worker');
  return closingWith(quiet(new QueueEvents(QUEUES[name], { connection, prefix: s.prefix })), release);
}

/**
 * Opens a producer-side queue for one piece of work and always closes it; connection failures become a
 * UserInputError that names REDIS_URL, other user errors pass through.
 */
export async function withQueue<T>(name: QueueName, settings: QueueSettings, fn: (q: Queue) => Promise<T>): Promise<T> {
  const queue = openQueue(name, settings);
  try {
    return await fn(queue);
  } catch (e) {
    throw e instanceof UserInputError ? e : wrapRedisError(e, settings);
  } finally {
    await queue.close();
  }
}
