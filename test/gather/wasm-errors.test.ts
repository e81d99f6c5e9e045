import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { explainWasmError, WasmKernelError, WasmOutOfMemoryError } from '../../src/gather/backend/wasm/memory-guard.js';
import { isUserInputError } from '../../src/errors.js';
import { maxRelDiff, onWasmAndCpu, values } from './wasm-compare.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A real WebAssembly trap: a module whose only function executes `unreachable`. */
function wasmTrap(): Error {
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11,
  ]);
  // WebAssembly is a Node global that this project's lib typings do not declare.
  const wa = (
    globalThis as unknown as {
      WebAssembly: {
        Instance: new (m: unknown) => { exports: { f: () => void } };
        Module: new (b: Uint8Array) => unknown;
      };
    }
  ).WebAssembly;
  const instance = new wa.Instance(new wa.Module(bytes));
  try {
    instance.exports.f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('the trap did not trap');
}

describe('wasm failures are one clear line', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('an allocation beyond the 4 GiB heap throws a typed error and leaves the heap intact (tfjs wrote at address 0)', async () => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      tf.zeros([2 ** 30 - 4]); // 4 GiB - 16 bytes: malloc returns 0 without touching memory
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmOutOfMemoryError);
    expect(isUserInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/out of memory allocating 4096 MB.*batchSize/);
    expect(tf.memory().numTensors).toBe(before);
    // The static data XNNPACK calls through is intact: a depthwise conv (its crash site in issue #8) still computes right.
    const { wasm, cpu } = await onWasmAndCpu(() => [
      tf.depthwiseConv2d(
        tf.tensor4d(values(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]),
        tf.tensor4d(values(27, 2), [3, 3, 3, 1]),
        1,
        'same',
      ),
    ]);
    expect(maxRelDiff(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
  });

  it('a WebAssembly trap becomes one line naming what to do; other errors pass through', () => {
    const trap = wasmTrap();
    expect(trap.stack).toMatch(/wasm/);
    const explained = explainWasmError(trap);
    expect(explained).toBeInstanceOf(WasmKernelError);
    expect((explained as Error).message).not.toMatch(/\n/);
    expect((explained as Error).message).toMatch(/wasm backend failed: unreachable.*batchSize/);
    const plain = new Error('not wasm');
    expect(explainWasmError(plain)).toBe(plain);
  });

  it('an uncaught error after the wasm backend loads prints no emscripten source', () => {
    const script = `import { selectBackend } from ${JSON.stringify(path.join(root, 'dist/src/gather/backend/backend.js'))};
      await selectBackend('wasm');
      setTimeout(() => { throw new Error('boom after wasm'); }, 0);`;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(/boom after wasm/);
    expect(stderr).not.toMatch(/tf-backend-wasm|throw ex/);
    expect(stderr.length).toBeLessThan(2000);
  });
});
