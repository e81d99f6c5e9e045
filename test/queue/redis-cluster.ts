import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/queue-env.js';

/** A throwaway Redis Cluster on loopback: 3 masters, each with one replica, on free ports. */
export interface TestCluster {
  ports: number[];
  cli(port: number, ...args: string[]): string;
  /** The master that owns `key`'s slot, and its replica. */
  owner(key: string): { master: number; replica: number };
  stop(): void;
}

const free = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = net.createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });

/** Six ports p with p and p + 10000 (the cluster bus) both free. */
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let p = 20000 + Math.floor(Math.random() * 9000); ports.length < n && p < 29990; p++) {
    if ((await free(p)) && (await free(p + 10000))) ports.push(p);
  }
  if (ports.length < n) throw new Error('no free ports for a test cluster');
  return ports;
}

export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-cluster-'));
  const ports = await freePorts(6);
  const children: ChildProcess[] = ports.map((p) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${p}.conf`,
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const cli = (port: number, ...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  await until(
    'cluster nodes to answer',
    () =>
      ports.every((p) => {
        try {
          return cli(p, 'ping').includes('PONG');
        } catch {
          return false;
        }
      }),
    20_000,
  );
  execFileSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
    { stdio: 'ignore' },
  );
  await until(
    'cluster_state:ok on every node',
    // ...and every node sees the three replicas: right after creation a node may not know its peers' roles yet.
    () =>
      ports.every(
        (p) =>
          cli(p, 'cluster', 'info').includes('cluster_state:ok') &&
          (cli(p, 'cluster', 'nodes').match(/\bslave\b/g)?.length ?? 0) === 3,
      ),
    30_000,
  );
  const owner = (key: string) => {
    const slot = Number(cli(ports[0]!, 'cluster', 'keyslot', key).trim());
    const nodes = cli(ports[0]!, 'cluster', 'nodes')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const portOf = (addr: string) => Number(addr.split('@')[0]!.split(':')[1]);
    const master = nodes.find(
      (n) =>
        n[2]!.includes('master') &&
        n.slice(8).some((r) => {
          const [a, b] = r.split('-').map(Number);
          return slot >= a! && slot <= (b ?? a)!;
        }),
    )!;
    const replica = nodes.find((n) => n[2]!.includes('slave') && n[3] === master[0])!;
    return { master: portOf(master[1]!), replica: portOf(replica[1]!) };
  };
  return {
    ports,
    cli,
    owner,
    stop: () => {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
