import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { until } from '../helpers/queue-env.js';
import { alive, identify } from './process-tree.js';

/**
 * The preload every audit sandbox child gets (workers/exit-with-parent.ts): the child must exit when its
 * worker dies by SIGKILL, whether or not the IPC channel tells it. Uses the built file, as the worker does.
 */
const preload = pathToFileURL(path.join(ROOT, 'dist', 'workers', 'exit-with-parent.js')).href;
const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-ewp-'));
// A stand-in worker: starts one child that would live forever on its own, prints its pid, then waits.
const parentScript = path.join(dir, 'parent.mjs');
writeFileSync(path.join(dir, 'forever.mjs'), 'setInterval(() => {}, 1000);\n');
// BullMQ's child, in small: every uncaught error is reported to the parent. Once the parent is gone, the report
// fails too, and the child loops on it without reaching the event loop. The busy wait lets the parent die
// before the child notices, as a child busy training does.
writeFileSync(
  path.join(dir, 'reporter.mjs'),
  `
process.on('uncaughtException', async (err) => {
  await new Promise((ok, ko) => process.send({ failed: String(err) }, (e) => (e ? ko(e) : ok())));
});
process.send('ready');
const until = Date.now() + 3000;
while (Date.now() < until) { /* busy */ }
process.send('after');
setInterval(() => {}, 1000);
`,
);
writeFileSync(
  parentScript,
  `
import { fork, spawn } from 'node:child_process';
const forever = ${JSON.stringify(path.join(dir, 'forever.mjs'))};
const env = process.argv[2] === 'with-pid' ? { ...process.env, NNAUDIT_PARENT_PID: String(process.pid) } : { ...process.env };
const child = process.argv[3] === 'reporter'
  ? fork(${JSON.stringify(path.join(dir, 'reporter.mjs'))}, [], { execArgv: ['--import', ${JSON.stringify(preload)}], env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  : process.argv[3] === 'ipc'
  ? fork(forever, [], { execArgv: ['--import', ${JSON.stringify(preload)}], env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  : spawn(process.execPath, ['--import', ${JSON.stringify(preload)}, forever], { env, stdio: 'ignore' });
process.stdout.write(String(child.pid) + '\\n');
// The reporter says when it is up; its worker dies then, while it is busy.
child.on?.('message', (m) => { if (m === 'ready') process.kill(process.pid, 'SIGKILL'); });
setInterval(() => {}, 1000);
`,
);

async function childOfKilledParent(
  mode: 'with-pid' | 'without-pid',
  channel: 'ipc' | 'no-ipc' | 'reporter',
  waitMs = 15_000,
): Promise<number[]> {
  const parent = spawn(process.execPath, [parentScript, mode, channel], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const pid = Number(await until('the child to start', () => /^\d+\n/.test(out) && out.trim(), 60_000));
  const child = identify(pid);
  await new Promise((ok) => setTimeout(ok, 1500)); // let the child load the preload before its parent dies
  parent.kill('SIGKILL');
  await until('the child to exit', () => alive([child]).length === 0, waitMs).catch(() => undefined);
  const left = alive([child]);
  for (const p of left) process.kill(p.pid, 'SIGKILL');
  return left.map((p) => p.pid);
}

describe('an audit sandbox child exits with its worker', () => {
  it('through the IPC channel closing', async () => {
    expect(await childOfKilledParent('without-pid', 'ipc')).toEqual([]);
  }, 60_000);

  it('through the parent pid when no IPC channel says so', async () => {
    expect(await childOfKilledParent('with-pid', 'no-ipc')).toEqual([]);
  }, 60_000);

  it("when its report of a failed write to the dead worker fails again (BullMQ's loop)", async () => {
    expect(await childOfKilledParent('without-pid', 'reporter')).toEqual([]);
  }, 60_000);

  it('the check has teeth: with neither, the child lives on', async () => {
    expect(await childOfKilledParent('without-pid', 'no-ipc', 5000)).toHaveLength(1);
  }, 60_000);
});
