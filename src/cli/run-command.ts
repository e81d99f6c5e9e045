import { errorMessage, isUserInputError } from '../errors.js';

/** Exit codes: 0 gate passed, 1 an error-level assertion failed, 2 bad input or a run error. */
export const EXIT = { passed: 0, gateFailed: 1, badInput: 2 } as const;

/**
 * Runs a command handler and turns its outcome into an exit code. User errors print their message only;
 * anything unexpected prints a one-line reason (NNAUDIT_DEBUG=1 shows the stack).
 */
export async function runCommand(handler: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await handler();
  } catch (e) {
    if (isUserInputError(e)) {
      process.stderr.write(`nnaudit: error: ${e.message}\n`);
    } else {
      process.stderr.write(`nnaudit: run failed: ${errorMessage(e)}\n`);
      if (process.env['NNAUDIT_DEBUG']) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
      else process.stderr.write('  (set NNAUDIT_DEBUG=1 for the stack trace)\n');
    }
    process.exitCode = EXIT.badInput;
  }
}
