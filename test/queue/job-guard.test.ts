import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GUARD_EXIT_CODES } from '../../src/queue/processors/job-guard.js';
import { ROOT } from '../helpers/cli.js';

/**
 * An audit child whose training never reaches its next step (a busy machine, one long epoch) must still exit
 * when a limit fires, with an exit code that tells the worker which limit it was (the worker's failure reason
 * names limits.memoryMb or limits.timeoutSeconds from it). Runs the built module, as the sandbox child does.
 */
const guardModule = pathToFileURL(path.join(ROOT, 'dist', 'src', 'queue', 'processors', 'job-guard.js')).href;

function childExitCode(limits: string): Promise<number | null> {
  const script = `import(${JSON.stringify(guardModule)}).then((m) => {
    m.jobGuard(${limits}, { jobTimeoutMs: 3_600_000, jobMemoryMb: 65536 });
    setInterval(() => {}, 1000); // training that never calls check()
  });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return new Promise((ok) => child.on('exit', (code) => ok(code)));
}

describe.concurrent('a limit that training does not notice', () => {
  it('the memory cap ends the child with the memory code', async () => {
    expect(await childExitCode('{ memoryMb: 1 }')).toBe(GUARD_EXIT_CODES.memory.code);
  }, 120_000);

  it('the time limit ends the child with the timeout code', async () => {
    expect(await childExitCode('{ timeoutSeconds: 0.5 }')).toBe(GUARD_EXIT_CODES.timeout.code);
  }, 120_000);

  it('the codes are distinct and each names its limit', () => {
    const codes = Object.values(GUARD_EXIT_CODES).map((g) => g.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(GUARD_EXIT_CODES.memory.says).toMatch(/limits\.memoryMb/);
    expect(GUARD_EXIT_CODES.timeout.says).toMatch(/limits\.timeoutSeconds/);
  });
});
