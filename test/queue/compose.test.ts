import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { builder as workerBuilder } from '../../src/cli/commands/worker.js';
import { ROOT } from '../helpers/cli.js';

/**
 * `docker compose config` needs a Docker CLI plugin this machine lacks: the file's invariants are checked here, against
 * the worker's own settings where they must agree (data folder, reports folder, shutdown grace).
 */
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  image?: string;
  build?: string;
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
  profiles?: string[];
}
const doc = YAML.parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const worker = doc.services['worker']!;
const client = doc.services['nnaudit']!;

/** "./data:/data:ro" -> { host: './data', container: '/data' }. */
const mounts = (s: Service) =>
  (s.volumes ?? []).map((v) => {
    const [host, container] = v.split(':');
    return { host: host!, container: container! };
  });
const mountOf = (s: Service, container: string) => mounts(s).find((m) => m.container === container);

/** Docker's duration syntax as compose uses it: 40s, 1m30s, 5m. */
function seconds(d: string): number {
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)];
  expect(parts.map((p) => p[0]).join(''), `duration ${d}`).toBe(d);
  return parts.reduce((t, [, n, u]) => t + Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001 }[u!] ?? NaN), 0);
}

describe('docker-compose.yml', () => {
  it('runs Redis without eviction, workers wired to Redis and SMTP, and a mail catcher', () => {
    expect(Object.keys(doc.services).sort()).toEqual(['mailpit', 'nnaudit', 'redis', 'worker']);
    expect(doc.services['redis']!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
    expect(worker.environment).toMatchObject({
      REDIS_URL: 'redis://redis:6379',
      SMTP_URL: 'smtp://mailpit:1025',
      NNAUDIT_REPORTS_DIR: '/reports',
    });
    expect(worker.build).toBe('.');
  });

  it('clients and workers share one data folder, which the workers may read (NNAUDIT_DATA_DIRS)', () => {
    const data = mountOf(worker, '/data');
    expect(data?.host).toBe('./data'); // a bind mount of the host folder, not a named volume
    expect(mountOf(client, '/data')?.host).toBe(data!.host); // the client service sees the same files at the same path
    expect(worker.environment!['NNAUDIT_DATA_DIRS']!.split(',')).toContain('/data');
    expect(client.profiles).toEqual(['cli']); // not started by `up`: run on demand
    expect(client.environment?.['REDIS_URL']).toBe(worker.environment!['REDIS_URL']);
  });

  it('reports land in a host folder, where the workers write them (NNAUDIT_REPORTS_DIR)', () => {
    const reports = mountOf(worker, worker.environment!['NNAUDIT_REPORTS_DIR']!);
    expect(reports?.host).toBe('./reports-out');
    expect(mountOf(client, client.environment!['NNAUDIT_REPORTS_DIR']!)?.host).toBe(reports!.host);
    expect(Object.keys(doc.volumes ?? {})).not.toContain('reports'); // no named volume the host cannot see
  });

  it('host ports are configurable and bound to loopback', () => {
    expect(doc.services['redis']!.ports).toEqual(['127.0.0.1:${NNAUDIT_REDIS_PORT:-6379}:6379']);
    for (const p of [...doc.services['redis']!.ports!, ...doc.services['mailpit']!.ports!])
      expect(p).toMatch(/^127\.0\.0\.1:\$\{NNAUDIT_\w+_PORT:-\d+\}:\d+$/);
  });

  it("stop_grace_period covers the worker's shutdown grace, plus a little for handing jobs back", async () => {
    const args = worker.command ?? [];
    const i = args.indexOf('--shutdown-grace');
    const defaults = await workerBuilder(yargs([])).parse();
    const grace = i >= 0 ? Number(args[i + 1]) : defaults.shutdownGrace;
    expect(grace).toBe(defaults.shutdownGrace); // the file spells out the worker's default, so the two cannot drift apart silently
    const stop = seconds(worker.stop_grace_period!);
    expect(stop).toBeGreaterThan(grace);
    expect(stop).toBeLessThanOrEqual(grace + 30);
  });
});
