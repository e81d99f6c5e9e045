import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/queue-env.js';

/** A throwaway redis-server on a free loopback port (so FLUSHALL and restarts touch nobody else's data). */
export interface TestRedis {
  url: string;
  port: number;
  restart(): Promise<void>;
  stop(): void;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-redis-'));
  const port = await new Promise<number>((ok) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => ok(p));
    });
  });
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await until(
      'redis to answer',
      () =>
        new Promise<boolean>((ok) => {
          const s = net.connect(port, '127.0.0.1', () => {
            s.end();
            ok(true);
          });
          s.on('error', () => ok(false));
        }),
      10_000,
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      const c = child!;
      c.kill('SIGTERM'); // graceful: the append-only file keeps the queue
      // A server already killed (stop()) has exited with a signal, not a code: do not wait for an exit that happened.
      await new Promise<void>((ok) =>
        c.exitCode !== null || c.signalCode !== null ? ok() : c.once('exit', () => ok()),
      );
      await start();
    },
    stop: () => {
      child?.kill('SIGKILL');
    },
  };
}
