import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv, startSmtp, startWorker, until } from '../helpers/queue-env.js';
import { waitForAudit } from '../../src/queue/producer.js';
import { queueSettings } from '../../src/queue/settings.js';
import { listJobs } from '../../src/queue/inspect.js';

const spec = (name: string) => path.join(ROOT, 'fixtures/specs', `${name}.json`);
const prefixes: string[] = [];
const envFor = (extra: Record<string, string> = {}) => {
  const env = queueEnv(extra);
  prefixes.push(env['NNAUDIT_QUEUE_PREFIX']!);
  return env;
};

describeWith(['redis'], 'worker without SMTP_URL (real Redis)', () => {
  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(p);
  });

  it('starts without --queue, says once that email is off, and audits and renders', async () => {
    const env = envFor({ SMTP_URL: '' });
    const worker = startWorker(env);
    try {
      await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 120_000);
      expect(worker.log()).toMatch(/queues audit, render on/);
      expect(worker.log().match(/email is off \(SMTP_URL is not set\)/g)).toHaveLength(1);
      // --email with no worker sending email: enqueued anyway, with a warning saying why nothing is sent yet.
      const r = await runCli(['enqueue', spec('iris'), '--no-pdf', '--email', 'ml-team@example.com'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: no worker is sending email right now .*SMTP_URL/);
      const jobId = r.stdout.trim();
      const settings = queueSettings({ ...process.env, ...env });
      const pointer = await waitForAudit(jobId, { settings });
      expect(pointer.verdict).toBe('PASS');
      await until('the render to complete', () => worker.log().match(/render \S+ completed/), 240_000);
      expect(await listJobs(settings, ['failed'], 50)).toEqual([]);
    } finally {
      expect(await worker.stop('SIGTERM'), worker.log()).toBe(0);
    }
  });

  it('enqueue --email warns nothing when a worker with SMTP_URL is connected', async () => {
    const smtp = await startSmtp();
    const env = envFor({ SMTP_URL: smtp.url });
    const worker = startWorker(env, ['--queue', 'notify']);
    try {
      await until('the worker to start', () => worker.log().includes('nnaudit worker: queues'), 120_000);
      expect(worker.log()).not.toMatch(/email is off/);
      const r = await runCli(['enqueue', spec('iris'), '--email', 'ml-team@example.com'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/warning/);
    } finally {
      expect(await worker.stop('SIGTERM'), worker.log()).toBe(0);
      await smtp.close();
    }
  });
});
