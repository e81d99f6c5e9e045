/**
 * Queue numbers: end-to-end latency of one small audit through Redis and a worker, audits per minute with 1 vs 2
 * worker processes, and memory over 50 audits in one process (what a worker's audit child process runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { enqueueAudit, waitForAudit } from '../src/queue/producer.js';
import { queueSettings } from '../src/queue/settings.js';
import { packageRoot } from '../src/util/package-root.js';
import { fixtureSpecPath } from '../src/cli/fixtures.js';
import { audit } from '../src/audit/audit.js';
import { tf } from '../src/gather/tf.js';

const iris = fixtureSpecPath('iris');
// Throughput uses a job with real training in it (about 1 s), or queue overhead would dominate the comparison.
const healthy = fixtureSpecPath('healthy');

function startWorkers(n: number, env: NodeJS.ProcessEnv): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [path.join(packageRoot(), 'bin', 'nnaudit.js'), 'worker', '--queue', 'audit'], {
      env,
      stdio: 'ignore',
    }),
  );
}

async function stop(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((ok) => {
          w.once('exit', () => ok());
          w.kill('SIGTERM');
        }),
    ),
  );
}

async function cleanup(url: string, prefix: string): Promise<void> {
  const r = new Redis(url);
  const keys = await r.keys(`{${prefix}}:*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
}

export interface QueueBench {
  latencyMs: number[];
  perMinute: Record<number, number>;
  memory: {
    audits: number;
    tensorsBefore: number;
    tensorsAfter: number;
    rssStartMb: number;
    rssEndMb: number;
    rssAfter10Mb: number;
    heapStartMb: number;
    heapEndMb: number;
    gc: boolean;
  };
}

export async function benchQueue(jobs = 8): Promise<QueueBench | string> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  try {
    await probe.connect();
  } catch {
    return `skipped: no Redis at ${url}`;
  } finally {
    probe.disconnect();
  }
  const perMinute: Record<number, number> = {};
  const latencyMs: number[] = [];
  for (const n of [1, 2]) {
    const prefix = `nnaudit-bench-${process.pid}-${n}`;
    const reports = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-bench-'));
    const env = { ...process.env, REDIS_URL: url, NNAUDIT_QUEUE_PREFIX: prefix, NNAUDIT_REPORTS_DIR: reports };
    const settings = queueSettings(env);
    const workers = startWorkers(n, env);
    try {
      // Warm-up (child process start, wasm init), then single-job latency, then throughput.
      await waitForAudit((await enqueueAudit(iris, { settings, formats: ['html'] })).jobId, { settings });
      if (n === 1) {
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          await waitForAudit((await enqueueAudit(iris, { settings, formats: ['html'] })).jobId, { settings });
          latencyMs.push(performance.now() - t);
        }
      }
      const t = performance.now();
      const ids = [];
      for (let i = 0; i < jobs; i++) ids.push((await enqueueAudit(healthy, { settings, formats: ['html'] })).jobId);
      await Promise.all(ids.map((id) => waitForAudit(id, { settings })));
      perMinute[n] = jobs / ((performance.now() - t) / 60_000);
    } finally {
      await stop(workers);
      await cleanup(url, prefix);
      rmSync(reports, { recursive: true, force: true });
    }
  }
  // Memory: 50 audits in one process, as a worker's audit child runs them.
  const spec = {
    seed: 1,
    data: { generator: 'moons' as const, samples: 300 },
    model: {
      train: {
        layers: [
          { type: 'dense' as const, units: 16, activation: 'relu' as const },
          { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
        ],
        loss: 'binaryCrossentropy' as const,
        epochs: 5,
      },
    },
  };
  await audit(spec);
  // Collect first (npm run bench passes --expose-gc): otherwise RSS shows V8's lazy collection, not retention.
  const gc = (globalThis as { gc?: () => void }).gc;
  const rss = () => {
    gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };
  const heap = () => process.memoryUsage().heapUsed / 2 ** 20;
  const tensorsBefore = tf.memory().numTensors;
  const rssStartMb = rss();
  const heapStartMb = heap();
  let rssAfter10Mb = 0;
  for (let i = 0; i < 50; i++) {
    await audit({ ...spec, seed: i });
    if (i === 9) rssAfter10Mb = rss();
  }
  return {
    latencyMs,
    perMinute,
    memory: {
      audits: 50,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      rssStartMb,
      rssEndMb: rss(),
      rssAfter10Mb,
      heapStartMb,
      heapEndMb: heap(),
      gc: gc !== undefined,
    },
  };
}
