import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { waitForJob } from '../../src/queue/producer.js';
import { describeWith } from '../helpers/requirements.js';

/**
 * CI once saw `nnaudit enqueue --wait` of a job that failed at once never exit: BullMQ's waitUntilFinished relies on
 * QueueEvents, which can miss a job that finishes while its stream is being opened. waitForJob also reads the job's
 * state. Here the events are deaf on purpose (another queue's), the worst case of a missed event: on the old code
 * (waitUntilFinished alone) both waits hang until the test's timeout.
 */
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `{nnaudit-wait-${randomUUID().slice(0, 8)}}`;
const connection = { url, maxRetriesPerRequest: null };
const open: Array<{ close(): Promise<void> }> = [];

function track<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

describeWith(['redis'], 'waiting for a job whose finish event is missed', () => {
  afterAll(async () => {
    for (const x of open.reverse()) await x.close();
    const r = new Redis(url);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('a job that fails is reported with its reason, and one that completes with its value, from its state alone', async () => {
    const queue = track(new Queue('work', { connection, prefix }));
    const deaf = track(new QueueEvents('elsewhere', { connection, prefix }));
    await deaf.waitUntilReady();
    track(
      new Worker(
        'work',
        async (job) => {
          if (job.name === 'bad') throw new UnrecoverableError('model file not found');
          return { verdict: 'PASS' };
        },
        { connection, prefix },
      ),
    );
    const bad = await queue.add('bad', {});
    const good = await queue.add('good', {});
    await expect(waitForJob(queue, bad, deaf, undefined, 200)).rejects.toThrow(/model file not found/);
    await expect(waitForJob(queue, good, deaf, undefined, 200)).resolves.toEqual({ verdict: 'PASS' });
  }, 30_000);
});
