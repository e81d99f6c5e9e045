import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { redactUrl } from './connection.js';
import { bullConnection, newRedisClient } from './redis-client.js';
import { isConnectionError, redisWhere, watchRedis, within } from './redis-status.js';
import { AuditWorker, cancelChannel } from './audit-worker.js';
import { workerPolicy } from '../policy/input-policy.js';
import { QUEUES, type QueueName } from './job-data.js';
import type { QueueSettings } from './settings.js';
import { runRenderJob } from './processors/render-job.js';
import { runNotifyJob } from './processors/notify-job.js';
import { PdfRenderer } from '../report/pdf/pdf-renderer.js';
import { smtpTransport } from '../notify/transport.js';
import { packageRoot } from '../util/package-root.js';

/** Each shutdown step past the grace gets this long: a close that needs a dead Redis gives up instead of hanging. */
const STEP_MS = 2_000;

export interface WorkerPoolOptions {
  queues: QueueName[];
  /** Concurrent audits per worker process (each in its own child process). */
  auditConcurrency: number;
  log?: (line: string) => void;
}

export interface WorkerPool {
  workers: Worker[];
  /**
   * Stops taking jobs and lets active ones finish for up to `graceMs`; after that it hands them back
   * (force-closes: the job's lock lapses and another worker retries it). Then closes the browser.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The queues a worker works when none are named: audit and render always, notify only when SMTP_URL is set
 * (a worker that only audits and renders needs no mail server). `note` says so, once, when email is off.
 */
export function defaultQueues(settings: QueueSettings): { queues: QueueName[]; note: string | null } {
  if (settings.smtpUrl) return { queues: ['audit', 'render', 'notify'], note: null };
  return {
    queues: ['audit', 'render'],
    note:
      'nnaudit worker: email is off (SMTP_URL is not set): working the audit and render queues; ' +
      'emails requested with --email wait in the notify queue until a worker with SMTP_URL starts',
  };
}

/**
 * Starts the workers of one process. Audits run sandboxed (a child process per concurrent job: tfjs-node
 * cannot load twice in one process, and training must not starve lock renewal); render keeps one warm
 * browser; notify needs SMTP_URL, checked here at start rather than at the first email.
 */
export function startWorkers(settings: QueueSettings, opts: WorkerPoolOptions): WorkerPool {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const transport = opts.queues.includes('notify') ? smtpTransport(settings.smtpUrl) : null;
  // One connection per worker: a Cluster client is shared state BullMQ never closes, so each is released with its worker.
  const releases: Array<() => Promise<void>> = [];
  const common = () => {
    const { connection, release } = bullConnection(settings, 'worker');
    releases.push(release);
    return { connection, prefix: settings.prefix };
  };
  const workers: Worker[] = [];
  const renderer = new PdfRenderer();
  // One client of our own tells the operator where Redis is (one line per change) and, on an audit worker, hears
  // `nnaudit cancel`. The workers' own connection errors say the same thing, once per retry, so they are not logged.
  const statusClient = newRedisClient(settings, 'worker');
  const where = settings.clusterNodes
    ? `the Redis Cluster at ${settings.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`
    : redisWhere(settings.redisUrl);
  const redis = watchRedis(statusClient, where, log);
  let audits: AuditWorker | null = null;
  if (opts.queues.includes('audit')) {
    const policy = workerPolicy(); // fail at start on a bad NNAUDIT_DATA_DIRS, not at the first job
    const processorFile = path.join(packageRoot(), 'dist', 'workers', 'audit-processor.js');
    const exitWithParent = path.join(packageRoot(), 'dist', 'workers', 'exit-with-parent.js');
    audits = new AuditWorker(
      QUEUES.audit,
      pathToFileURL(processorFile),
      {
        ...common(),
        concurrency: opts.auditConcurrency,
        useWorkerThreads: false,
        // The heap limit makes a runaway job die in its child (and fail unretried), not take the host down.
        // exit-with-parent is preloaded so a child exits when this worker dies, however it dies (it reads our pid).
        workerForkOptions: {
          execArgv: [
            ...process.execArgv,
            `--max-old-space-size=${settings.jobMemoryMb}`,
            '--import',
            pathToFileURL(exitWithParent).href,
          ],
          env: { ...process.env, NNAUDIT_PARENT_PID: String(process.pid) },
        },
        // An epoch can take a while: renew the lock well before it lapses; a killed process's job is stalled and retried.
        lockDuration: settings.lockMs,
        stalledInterval: Math.max(1000, Math.floor(settings.lockMs / 2)),
        maxStalledCount: 2,
      },
      settings,
      log,
    );
    workers.push(audits);
    const auditWorker = audits;
    // `nnaudit cancel <id>` publishes the id; whichever worker runs that job aborts it (ioredis resubscribes after a reconnect).
    void statusClient.subscribe(cancelChannel(settings.prefix)).catch((e: Error) => {
      if (!isConnectionError(e)) log(`cancel channel: ${e.message}`);
    });
    statusClient.on('message', (_channel: string, jobId: string) => {
      if (auditWorker.cancelJob(jobId, 'cancelled by nnaudit cancel')) log(`audit ${jobId} cancel requested`);
    });
    log(
      `audit jobs read files under ${policy.dataDirs?.join(', ')}; URLs: ${policy.allowedHosts?.join(', ') || 'none'}; email domains: ${policy.emailDomains?.join(', ') || 'none'}`,
    );
  }
  if (opts.queues.includes('render')) {
    workers.push(
      new Worker(QUEUES.render, (job: Job) => runRenderJob(job, settings, renderer), { ...common(), concurrency: 1 }),
    );
  }
  if (opts.queues.includes('notify') && transport) {
    workers.push(
      new Worker(QUEUES.notify, (job: Job) => runNotifyJob(job, settings, transport), { ...common(), concurrency: 4 }),
    );
  }
  for (const w of workers) {
    w.on('completed', (job) => log(`${w.name} ${job.id} completed`));
    w.on('failed', (job, err) =>
      log(`${w.name} ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`),
    );
    w.on('error', (err) => {
      if (!isConnectionError(err)) log(`${w.name} worker error: ${err.message}`);
    });
  }
  log(
    `nnaudit worker: queues ${opts.queues.join(', ')} on ${settings.clusterNodes ? `Redis Cluster ${settings.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}` : redactUrl(settings.redisUrl)} prefix ${settings.prefix}, reports in ${settings.reportsDir}`,
  );
  return {
    workers,
    close: async (graceMs = 30_000) => {
      // Active jobs get their grace only while Redis is there: without it they can neither finish (their result is
      // not recorded) nor be handed back, and an idle worker has nothing to wait for. Every step after the grace is
      // bounded, so a worker exits within seconds of SIGTERM whatever Redis is doing.
      // pause, not close: BullMQ's close(true) after a close() only returns the first, graceful, close,
      // so the job would run to its end. pause() waits for active jobs without committing to that.
      const paused = workers.map((w) => w.pause());
      const graceful = Promise.all(paused).then(() => 'done' as const);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((ok) => {
        timer = setTimeout(() => ok('late'), graceMs);
      });
      const gone = redis.lost().then(() => 'redis down' as const);
      const outcome = await Promise.race([graceful, late, gone]);
      clearTimeout(timer);
      redis.quiet();
      const force = outcome !== 'done';
      if (outcome === 'late' && redis.reachable()) {
        log(`nnaudit worker: active jobs did not finish within ${graceMs / 1000} s: handing them back to the queue`);
        if (audits) {
          await within(audits.handBack(), STEP_MS);
          await within(paused[workers.indexOf(audits)]!, STEP_MS); // the killed audits' jobs are back in the queue before the connection closes
        }
      } else if (force) {
        log(
          'nnaudit worker: Redis is unreachable: stopping now; active jobs go back to the queue when their locks lapse',
        );
        await within(audits?.killChildren() ?? Promise.resolve(), STEP_MS);
      }
      // Forced: any other job still running is abandoned; its lock lapses and another worker takes it up.
      if (!(await within(Promise.all(workers.map((w) => w.close(force))), STEP_MS)))
        await within(Promise.all(workers.map((w) => w.disconnect())), 1000);
      await within(Promise.all(releases.map((release) => release())), 1000);
      statusClient.disconnect();
      await within(renderer.close(), STEP_MS);
      transport?.close();
    },
  };
}
