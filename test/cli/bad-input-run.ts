import { main } from '../../src/cli/main.js';

export interface InProcessRun { code: number; stdout: string; stderr: string }

class ExitCalled extends Error {
  constructor(readonly code: number) { super(`process.exit(${code})`); }
}

/**
 * Runs the CLI's main() in this process with stdout/stderr captured and process.exit trapped: 120 cases
 * as child processes would each pay Node's and tfjs's start-up on a busy 2-core machine.
 */
export async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<InProcessRun> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const exit = process.exit;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += chunk.toString(); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += chunk.toString(); return true; }) as typeof process.stderr.write;
  process.exit = ((code?: number) => { throw new ExitCalled(code ?? 0); }) as typeof process.exit;
  Object.assign(process.env, env);
  process.exitCode = undefined;
  let code: number | undefined;
  try {
    await main(args);
  } catch (e) {
    if (e instanceof ExitCalled) code = e.code;
    else stderr += `UNCAUGHT ${e instanceof Error ? e.stack : String(e)}`;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exit = exit;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const result = { code: code ?? (typeof process.exitCode === 'number' ? process.exitCode : 0), stdout, stderr };
  process.exitCode = undefined;
  return result;
}
