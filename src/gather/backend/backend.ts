import { createRequire } from 'node:module';
import path from 'node:path';
import { tf } from '../tf.js';
import { registerWasmKernels } from './wasm-kernel-bridge.js';
import { guardWasmAllocations, removeEmscriptenProcessHandlers, snapshotProcessHandlers } from './wasm/memory-guard.js';
import type { WasmBackend } from './wasm/kernel-types.js';
import { errorMessage, UserInputError } from '../../errors.js';
import { BACKENDS, type BackendName } from './backend-names.js';

export { BACKENDS, type BackendName };

export interface BackendInfo {
  name: BackendName;
  /** Why this backend: forced, or which faster ones failed and how. */
  reason: string;
  attempts: Array<{ backend: BackendName; ok: boolean; error?: string }>;
  bridgedKernels: string[];
  tfjsVersion: string;
}

let selected: Promise<BackendInfo> | null = null;

/**
 * Picks the fastest TensorFlow.js backend that works here, once per process:
 * tfjs-node (native) > wasm (SIMD) > cpu. `NNAUDIT_BACKEND` or `requested` forces one.
 */
export function selectBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  if (selected === null) {
    let choice: BackendName | 'auto';
    try {
      choice = requested === 'auto' ? envBackend() : requested;
    } catch (e) {
      return Promise.reject(e);
    }
    selected = doSelect(choice).catch((e: unknown) => {
      selected = null;
      throw e;
    });
  }
  return selected;
}

function envBackend(): BackendName | 'auto' {
  const v = process.env['NNAUDIT_BACKEND'];
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendName;
  throw new UserInputError('config', `NNAUDIT_BACKEND=${v} is not a backend; use one of auto, ${BACKENDS.join(', ')}`);
}

async function doSelect(requested: BackendName | 'auto'): Promise<BackendInfo> {
  // PROD silences tfjs' console banner suggesting tfjs-node: the choice and its reason are recorded in the result instead.
  tf.env().set('PROD', true);
  const order: BackendName[] = requested === 'auto' ? [...BACKENDS] : [requested];
  const attempts: BackendInfo['attempts'] = [];
  let bridgedKernels: string[] = [];
  for (const backend of order) {
    const handlers = snapshotProcessHandlers();
    try {
      if (backend === 'tensorflow') await loadTfjsNode();
      if (backend === 'wasm') bridgedKernels = await loadWasm();
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
      if (backend === 'wasm') {
        guardWasmAllocations(tf.backend() as unknown as WasmBackend);
        removeEmscriptenProcessHandlers(handlers);
      }
      attempts.push({ backend, ok: true });
      const failed = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.error}`);
      const reason =
        requested !== 'auto'
          ? `forced by ${process.env['NNAUDIT_BACKEND'] === requested ? 'NNAUDIT_BACKEND' : 'the backend option'}`
          : failed.length === 0
            ? 'fastest available'
            : `fastest that loaded (${failed.join('; ')})`;
      return {
        name: backend,
        reason,
        attempts,
        bridgedKernels: backend === 'wasm' ? bridgedKernels : [],
        tfjsVersion: tf.version.tfjs,
      };
    } catch (e) {
      attempts.push({ backend, ok: false, error: firstLine(errorMessage(e)) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`,
  );
}

async function loadTfjsNode(): Promise<void> {
  // Any failure counts, not only MODULE_NOT_FOUND: a broken native binding throws at load time.
  const moduleName = '@tensorflow/tfjs-node';
  await import(moduleName);
  if (tf.findBackend('tensorflow') === null) {
    throw new Error('@tensorflow/tfjs-node loaded but registered no backend on this tfjs-core (version mismatch?)');
  }
}

async function loadWasm(): Promise<string[]> {
  const wasmModule = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist =
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasmModule.setWasmPaths(dist);
  return registerWasmKernels();
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
