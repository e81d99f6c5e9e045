import { UserInputError } from '../../../errors.js';
import type { WasmBackend } from './kernel-types.js';

/** The wasm backend could not allocate a tensor: its heap (at most 4 GiB) is full. Exit 2: the fix is in the spec. */
export class WasmOutOfMemoryError extends UserInputError {
  constructor(message: string) {
    super('resources', message);
  }
}

/** A kernel failed inside WebAssembly. The message is one line: never the emscripten glue's source. */
export class WasmKernelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WasmKernelError';
  }
}

const MB = 2 ** 20;

/**
 * tfjs-backend-wasm 4.22 never checks `_malloc`'s result: when the heap is full, malloc returns 0 and the tensor
 * is written at address 0, over the module's static data (XNNPACK's tables of function pointers live there). The
 * next convolution then calls through a garbage pointer: `RuntimeError: table index is out of bounds at
 * _DepthwiseConv2dNative` (fine-tuning MobileNetV2 on 224x224 images, issue #8), or `memory access out of bounds`
 * in a later dispose. Failing the allocation instead leaves the heap intact and names the cause and the fix.
 */
export function guardWasmAllocations(backend: WasmBackend): void {
  const wasm = backend.wasm as WasmBackend['wasm'] & { __nnauditGuarded?: true };
  if (wasm.__nnauditGuarded) return;
  const malloc = wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number): number => {
    const offset = malloc(bytes);
    if (offset === 0 && bytes > 0) {
      throw new WasmOutOfMemoryError(
        `the wasm backend ran out of memory allocating ${(bytes / MB).toFixed(0)} MB (heap ${(wasm.HEAPU8.length / MB).toFixed(0)} MB, at most 4096 MB): ` +
          'reduce model.train.batchSize (or data.probeSize, or the input size), or install @tensorflow/tfjs-node',
      );
    }
    return offset;
  };
  wasm.__nnauditGuarded = true;
}

/**
 * The emscripten glue registers process-wide 'uncaughtException' and 'unhandledRejection' handlers that rethrow
 * from inside its own source, so Node prints that (minified) source line, about 25 KB, before the error. tfjs
 * never calls emscripten's exit(), the only thing those handlers are for: remove the ones added since `before`.
 */
export function removeEmscriptenProcessHandlers(before: ProcessHandlers): number {
  let removed = 0;
  for (const listener of process.listeners('uncaughtException')) {
    if (before.uncaughtException.includes(listener)) continue;
    process.removeListener('uncaughtException', listener);
    removed++;
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (before.unhandledRejection.includes(listener)) continue;
    process.removeListener('unhandledRejection', listener);
    removed++;
  }
  return removed;
}

export interface ProcessHandlers {
  uncaughtException: unknown[];
  unhandledRejection: unknown[];
}

export function snapshotProcessHandlers(): ProcessHandlers {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

/**
 * At the gather boundary: a WebAssembly trap becomes one line naming the kernel (from the stack) and what to do.
 * Anything else passes through unchanged.
 */
export function explainWasmError(e: unknown): unknown {
  // WebAssembly.RuntimeError is not in this project's lib typings: recognise the trap by name and stack.
  if (!(e instanceof Error) || !(e.name === 'RuntimeError' || /wasm:\/\/wasm|wasm-function\[/.test(e.stack ?? '')))
    return e;
  const err = e;
  const kernel = /at (?:Module\.)?_([A-Z][A-Za-z0-9]*)/.exec(err.stack ?? '')?.[1];
  const first = (err.message.split('\n')[0] ?? '').slice(0, 200);
  return new WasmKernelError(
    `the wasm backend failed${kernel ? ` in kernel ${kernel}` : ''}: ${first}. ` +
      'This is usually memory exhausted by a large batch: reduce model.train.batchSize, or run with NNAUDIT_BACKEND=cpu to check',
    { cause: e },
  );
}
