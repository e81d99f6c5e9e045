import path from 'node:path';
import { Job } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { openQueue } from '../../src/queue/queues.js';
import { queueSettings } from '../../src/queue/settings.js';
import { specFromFlags } from '../../src/cli/spec-from-flags.js';
import { auditJobData } from '../../src/queue/producer.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { cleanupPrefix, queueEnv } from '../helpers/queue-env.js';

/**
 * `enqueue --model/--data` stores the spec `audit` would run with the same flags. No worker listens on this test's
 * prefix, so the job waits and its data can be read back as stored.
 */
const env = queueEnv();
const settings = () => queueSettings({ ...process.env, ...env });
const wine = [
  '--model',
  'fixtures/models/wine-mlp/model.json',
  '--data',
  'fixtures/data/wine.csv',
  '--label',
  'label',
  '--normalize',
  'standardize',
  '--seed',
  '7',
];

describeWith(['redis'], 'enqueue takes the model and data flags audit takes', () => {
  afterAll(async () => {
    await cleanupPrefix(env['NNAUDIT_QUEUE_PREFIX']!);
  });

  it('a spec file is stored as before: the same job data the producer builds from its path', async () => {
    const file = path.join(ROOT, 'fixtures/specs/iris.json');
    const r = await runCli(['enqueue', file, '--no-pdf'], { env });
    expect(r.code, r.stderr).toBe(0);
    const queue = openQueue('audit', settings());
    try {
      const job = await Job.fromId(queue, r.stdout.trim());
      expect(job!.data).toEqual(auditJobData(file, { formats: ['html'] }));
    } finally {
      await queue.close();
    }
  });

  it.each([
    ['as given on the client', [], ROOT],
    ['with --base-dir, resolved on the workers (docker-compose: /data)', ['--base-dir', '/data'], '/data'],
  ])('--model --data %s', async (_name, extra, baseDir) => {
    const r = await runCli(['enqueue', ...wine, ...extra], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const queue = openQueue('audit', settings());
    try {
      const job = await Job.fromId(queue, r.stdout.trim());
      const expected = specFromFlags({
        model: wine[1],
        data: wine[3],
        label: 'label',
        normalize: 'standardize',
        seed: 7,
      }).spec;
      expect(job!.data).toMatchObject({
        spec: JSON.parse(JSON.stringify(expected)) as unknown,
        baseDir,
        label: 'wine-mlp',
      });
    } finally {
      await queue.close();
    }
  });
});
