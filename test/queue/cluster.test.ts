import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../helpers/requirements.js';
import { runCli } from '../helpers/cli.js';
import { queueEnv, startWorker, type WorkerProcess } from '../helpers/queue-env.js';
import { startTestCluster, type TestCluster } from './redis-cluster.js';

/**
 * The queue on a real Redis Cluster (3 masters, 3 replicas on loopback): clients and workers are seeded with a master
 * that does NOT own the prefix's slot (the single-node client died there with MOVED), and the owner fails over to its
 * replica in the middle of the run. Every job completes once with its real verdict, and every key lands in one slot.
 */
describeWith(['redis'], 'Redis Cluster: REDIS_CLUSTER_NODES, MOVED and a failover', () => {
  let cluster: TestCluster;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  let prefix = '';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-cluster-hosts-'));
  const folder = (name: string) => path.join(tmp, name);

  beforeAll(async () => {
    cluster = await startTestCluster();
    env = queueEnv();
    prefix = env['NNAUDIT_QUEUE_PREFIX']!;
    const { master } = cluster.owner(`{${prefix}}`);
    const seed = cluster.ports.find((p) => p !== master && cluster.cli(p, 'role').startsWith('master'))!;
    // REDIS_URL at that node too: the single-node client died there with "MOVED <slot>" (only its credentials are used now).
    env = { ...env, REDIS_URL: `redis://127.0.0.1:${seed}`, REDIS_CLUSTER_NODES: `127.0.0.1:${seed}` };
    // Hosts that share only Redis: two audit workers and a render worker, each with its own reports folder.
    for (let i = 0; i < 2; i++)
      workers.push(startWorker({ ...env, NNAUDIT_REPORTS_DIR: folder(`audit-${i}`) }, ['--queue', 'audit']));
    workers.push(startWorker({ ...env, NNAUDIT_REPORTS_DIR: folder('render') }, ['--queue', 'render']));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("enqueue --wait through a non-owner seed, across a failover of the owner: each client gets its job's verdict", async () => {
    const specs = ['healthy', 'dead-relu', 'healthy', 'dead-relu'];
    const expected: Record<string, number> = { healthy: 0, 'dead-relu': 1 };
    const clientEnv = { ...env, NNAUDIT_REPORTS_DIR: folder('client') };
    const first = specs.map((s, i) =>
      runCli(
        [
          'enqueue',
          `fixtures/specs/${s}.json`,
          '--wait',
          ...(i === 0 ? [] : ['--no-pdf']),
          '--out',
          folder(`out-${i}`),
        ],
        {
          env: clientEnv,
        },
      ),
    );
    // Fail the prefix's master over to its replica while those jobs are queued or running.
    await new Promise((ok) => setTimeout(ok, 1500));
    const { replica } = cluster.owner(`{${prefix}}`);
    expect(cluster.cli(replica, 'cluster', 'failover')).toMatch(/OK/);
    const runs = await Promise.all(first);
    runs.forEach((r, i) =>
      expect(
        r.code,
        `${specs[i]}: ${r.stderr
          .split('\n')
          .filter((l) => !l.includes('epoch'))
          .join('\n')}`,
      ).toBe(expected[specs[i]!]),
    );
    expect(cluster.cli(replica, 'role')).toMatch(/^master/);
    // Each client got its own job's result and the report the render host made, from Redis alone.
    specs.forEach((s, i) => {
      const result = JSON.parse(readFileSync(path.join(folder(`out-${i}`), 'result.json'), 'utf8')) as {
        gate: { exitCode: number };
        spec: { name?: string };
      };
      expect(result.gate.exitCode, s).toBe(expected[s]);
      expect(readFileSync(path.join(folder(`out-${i}`), 'report.html'), 'utf8')).toContain('<html');
    });
    // The PDF rendered on the render host (Chromium there), fetched by the client from Redis.
    expect(
      readFileSync(path.join(folder('out-0'), 'report.pdf'))
        .subarray(0, 5)
        .toString(),
      `${runs[0]!.stdout}\n${workers[2]!.log()}`,
    ).toBe('%PDF-');
    expect(existsSync(folder('client'))).toBe(false); // the client never needed a reports folder of its own
    const after = await runCli(['enqueue', 'fixtures/specs/healthy.json', '--wait', '--no-pdf'], { env });
    expect(after.code, after.stderr).toBe(0);
    // With every worker's folder gone, status --out still fetches the job's files from the run store.
    for (const f of ['audit-0', 'audit-1', 'render']) rmSync(folder(f), { recursive: true, force: true });
    const jobId = after.stdout.split('\n')[0]!.trim();
    const status = await runCli(['status', jobId, '--out', folder('later')], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(existsSync(path.join(folder('later'), 'result.json'))).toBe(true);
    const history = await runCli(['history', 'healthy'], { env });
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.match(/PASS/g)?.length).toBe(3);
  }, 600_000);

  it("every key of the prefix (queues, history) is in the prefix's one slot", () => {
    const slot = cluster.cli(cluster.ports[0]!, 'cluster', 'keyslot', `{${prefix}}`).trim();
    const keys = cluster.ports
      .filter((p) => cluster.cli(p, 'role').startsWith('master'))
      .flatMap((p) => cluster.cli(p, '--scan', '--pattern', `*${prefix}*`).trim().split('\n').filter(Boolean));
    expect(keys.length).toBeGreaterThan(5);
    const slots = new Set(keys.map((k) => cluster.cli(cluster.ports[0]!, 'cluster', 'keyslot', k).trim()));
    expect([...slots]).toEqual([slot]);
  });
});
