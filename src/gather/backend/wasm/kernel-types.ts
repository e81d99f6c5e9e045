import { tf } from '../../tf.js';

/** The shapes of tfjs' kernel registry, re-derived here because tfjs-core does not export them by name. */
export type KernelConfig = ReturnType<typeof tf.getKernelsForBackend>[number];
export type KernelFunc = KernelConfig['kernelFunc'];
export type KernelArgs = Parameters<KernelFunc>[0];
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

/** The parts of tfjs-backend-wasm's BackendWasm the composed kernels use (it exports no types for them). */
export interface WasmBackend {
  readSync(dataId: object): tf.TypedArray | string[];
  write(values: tf.TypedArray | null, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): TensorInfo;
  numDataIds(): number;
  wasm: { _malloc(bytes: number): number; HEAPU8: Uint8Array };
}

/**
 * One switch for every kernel nnaudit registers or replaces on wasm, so a benchmark can measure tfjs' own
 * kernels ("before") and ours ("after") alternately in one process. Off means: each replaced kernel calls
 * the original, each composed gradient goes back to the cpu-bridge it replaced.
 */
let overridesEnabled = true;

export function setWasmKernelOverrides(enabled: boolean): void {
  overridesEnabled = enabled;
}

export function wasmKernelOverridesEnabled(): boolean {
  return overridesEnabled;
}

/** Runs a kernel function with other inputs and attributes on the same backend. */
export function callKernel(
  kernel: KernelFunc,
  backend: unknown,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: object,
): TensorInfo {
  return kernel({ inputs, backend, attrs } as unknown as KernelArgs) as unknown as TensorInfo;
}

/**
 * Replaces the wasm kernel `name` with `make(original)`, keeping its setupFunc (tfjs-backend-wasm binds its
 * C++ entry points there, and the original kernelFunc needs them). Returns false when wasm has no such kernel.
 */
export function replaceWasmKernel(name: string, make: (original: KernelFunc) => KernelFunc): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (original === undefined) return false;
  if (replaced.has(original.kernelFunc)) return true; // already ours: never wrap twice
  const kernelFunc = make(original.kernelFunc);
  replaced.add(kernelFunc);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  return true;
}

const replaced = new WeakSet<KernelFunc>();

/**
 * Registers a wasm kernel of nnaudit's own (`name`), the kernel computing its gradients (`gradName`) and the
 * gradient config that calls it, once per process. Returns both kernel names.
 */
export function registerKernelPair(k: {
  name: string;
  gradName: string;
  forward: unknown;
  backward: unknown;
  gradient: Omit<tf.GradConfig, 'kernelName'>;
}): string[] {
  if (tf.getKernel(k.name, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: k.name, backendName: 'wasm', kernelFunc: k.forward as KernelFunc });
    tf.registerKernel({ kernelName: k.gradName, backendName: 'wasm', kernelFunc: k.backward as KernelFunc });
    tf.registerGradient({ kernelName: k.name, ...k.gradient });
  }
  return [k.name, k.gradName];
}

/** The wasm backend's own view of a tensor's bytes: where each lives on the wasm heap (kernels that work in place). */
export type HeapBackend = WasmBackend & { dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined } };

/**
 * `compile(memory)` run once per tfjs-backend-wasm module, bound to its exported memory, and kept for the module's
 * life: a kernel's SIMD functions, or null where WebAssembly SIMD does not run (the kernel's JavaScript loop then).
 */
export function perWasmModule<T>(compile: (memory: unknown) => T | null): (backend: HeapBackend) => T | null {
  const compiled = new WeakMap<object, T | null>();
  return (backend) => {
    const module = (backend as HeapBackend & { wasm: { asm?: { memory?: unknown } } }).wasm;
    if (!compiled.has(module)) compiled.set(module, compile(module.asm?.memory));
    return compiled.get(module) ?? null;
  };
}

/** Where a tensor's bytes start on the wasm heap (a byte address; divide by 4 for a Float32Array index). */
export function heapAddress(backend: Pick<HeapBackend, 'dataIdMap'>, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/**
 * Where each tensor's floats start on the wasm heap, as Float32Array indices (heapAddress / 4): a tuple as long as
 * the tensors given, so kernels destructure it without casts.
 */
export function heapIndices<T extends ReadonlyArray<{ dataId: object }>>(
  backend: Pick<HeapBackend, 'dataIdMap'>,
  ...tensors: T
): { -readonly [K in keyof T]: number } {
  return tensors.map((t) => heapAddress(backend, t) / 4) as { -readonly [K in keyof T]: number };
}

/** Float32 outputs of the given shapes, a tuple as long as the shapes. */
export function makeOutputs<S extends ReadonlyArray<number[]>>(
  backend: Pick<WasmBackend, 'makeOutput'>,
  ...shapes: S
): { -readonly [K in keyof S]: TensorInfo } {
  return shapes.map((s) => backend.makeOutput(s, 'float32')) as { -readonly [K in keyof S]: TensorInfo };
}

/** The attributes both convolution gradients share. */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * One float32 scratch buffer cut into regions of the given float counts, each starting on a 64-byte boundary (tfjs'
 * buffers start on 8 bytes; SIMD loads across two cache lines cost up to twice as much). Returns the buffer, to
 * dispose, and the regions' byte addresses, valid until the next allocation on the heap.
 */
export function alignedScratch(
  backend: Pick<HeapBackend, 'dataIdMap' | 'makeOutput'>,
  floats: number[],
): { scratch: TensorInfo; regions: number[] } {
  const sizes = floats.map((n) => Math.ceil(n / 16) * 16);
  const scratch = backend.makeOutput([sizes.reduce((a, b) => a + b, 0) + 16], 'float32');
  const regions: number[] = [];
  let at = Math.ceil(heapAddress(backend, scratch) / 64) * 64;
  for (const size of sizes) {
    regions.push(at);
    at += size * 4;
  }
  return { scratch, regions };
}
