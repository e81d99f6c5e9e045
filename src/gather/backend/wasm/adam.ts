import { tf } from '../../tf.js';
import { compileAdamSimd, type AdamSimd } from './adam-simd.js';
import {
  wasmKernelOverridesEnabled,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  type WasmBackend,
  heapIndices,
} from './kernel-types.js';

const KERNEL = 'NnauditAdamUpdate';

interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
  /** Write m and v over their own buffers and return only the new value (see fusedAdamStep). */
  inPlace: boolean;
}
type HeapBackend = WasmBackend & {
  refCount(dataId: object): number;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: WasmBackend['wasm'] & { asm?: { memory?: unknown } };
};
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}
type NamedGradients = tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>;

/**
 * tfjs' Adam runs 13 element-wise kernels per variable per step (plus scalar uploads): on the bench MLP that is
 * about 110 of a step's 280 kernel calls, and the step is dominated by per-kernel overhead (bench:profile).
 * On wasm, one kernel does the whole update in one pass over the heap, with the same formula and state
 * (moments as variables named <var>/m and /v, accBeta1/2, iterations), so saving and resuming are unchanged.
 * This registers only the kernel; `fusedAdam` creates the optimizers that use it.
 */
export function registerFusedAdam(): string[] {
  if (tf.getKernel(KERNEL, 'wasm') === undefined)
    tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: adamKernel as unknown as KernelFunc });
  return [KERNEL];
}

/**
 * `tf.train.adam(learningRate)` whose steps use the fused kernel on wasm. Only this instance is changed, never
 * AdamOptimizer.prototype: nnaudit can be imported into a user's process (nnaudit/callback), and a user's own
 * tf.train.adam there must keep tfjs' behaviour. Other backends, non-float32 variables and the "overrides off"
 * switch run tfjs' own applyGradients.
 *
 * @example model.compile({ optimizer: fusedAdam(0.001), loss: 'categoricalCrossentropy' });
 */
export function fusedAdam(learningRate: number): tf.AdamOptimizer {
  const optimizer = tf.train.adam(learningRate);
  const original = optimizer.applyGradients.bind(optimizer);
  const state = optimizer as unknown as AdamState;
  optimizer.applyGradients = (gradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void => {
    const usable =
      tf.getBackend() === 'wasm' && wasmKernelOverridesEnabled() && tf.getKernel(KERNEL, 'wasm') !== undefined;
    if (!usable || !fusedAdamStep(state, gradients)) original(gradients);
  };
  return optimizer;
}

/** Returns false, having changed nothing, when some variable or gradient is not float32. */
function fusedAdamStep(opt: AdamState, gradients: NamedGradients): boolean {
  const entries = Array.isArray(gradients)
    ? gradients.map((g) => [g.name, g.tensor] as const)
    : Object.entries(gradients);
  const variables = tf.engine().registeredVariables;
  if (entries.some(([name, g]) => (g != null && g.dtype !== 'float32') || variables[name]?.dtype !== 'float32'))
    return false;
  // accBeta is beta^t: read on wasm it is a view of the heap, not a download.
  const correction1 = 1 - opt.accBeta1.dataSync()[0]!;
  const correction2 = 1 - opt.accBeta2.dataSync()[0]!;
  const backend = tf.backend() as unknown as HeapBackend;
  tf.tidy(() => {
    entries.forEach(([name, gradient], i) => {
      const value = variables[name]!;
      opt.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      opt.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      if (gradient == null) return;
      const m = opt.accumulatedFirstMoment[i]!.variable;
      const v = opt.accumulatedSecondMoment[i]!.variable;
      // The moments are the optimizer's own: when no other tensor shares their buffers, overwrite them (two
      // allocations and assignments fewer per variable; on the small bench MLP these dominate the update). The
      // weights always get a new buffer: tfjs' wasm matmul caches packed weights by buffer id.
      const inPlace = backend.refCount(m.dataId) === 1 && backend.refCount(v.dataId) === 1;
      const attrs: AdamAttrs = {
        learningRate: opt.learningRate,
        beta1: opt.beta1,
        beta2: opt.beta2,
        epsilon: opt.epsilon,
        correction1,
        correction2,
        inPlace,
      };
      const [newValue, newM, newV] = tf
        .engine()
        .runKernel(KERNEL, { value, m, v, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      if (!inPlace) {
        m.assign(newM!);
        v.assign(newV!);
      }
      value.assign(newValue!);
    });
    opt.accBeta1.assign(tf.mul(opt.accBeta1, opt.beta1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, opt.beta2));
  });
  opt.incrementIterations();
  return true;
}

function adamKernel(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as unknown as HeapBackend;
  const { value, m, v, gradient } = args.inputs as unknown as Record<'value' | 'm' | 'v' | 'gradient', TensorInfo>;
  const a = args.attrs as unknown as AdamAttrs;
  const outs = (a.inPlace ? [0] : [0, 1, 2]).map(() => backend.makeOutput(value.shape, 'float32'));
  // Views are taken after the allocations: growing the heap replaces its buffer.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  // In place (one output), m and v are read and written at the same index in the same iteration: aliasing is safe.
  const [x, m0, v0, g, xOut, mOut, vOut] = heapIndices(
    backend,
    value,
    m,
    v,
    gradient,
    outs[0]!,
    outs[1] ?? m,
    outs[2] ?? v,
  );
  const n = tf.util.sizeFromShape(value.shape);
  const { beta1, beta2, epsilon, correction1, correction2 } = a;
  const step = -a.learningRate;
  const simd = simdFor(backend);
  // SIMD does whole groups of four; the JavaScript loop does the rest (or everything, without SIMD).
  const done = simd ? n - (n % 4) : 0;
  if (simd && done > 0)
    simd(
      x * 4,
      m0 * 4,
      v0 * 4,
      g * 4,
      xOut * 4,
      mOut * 4,
      vOut * 4,
      done,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      correction1,
      correction2,
      epsilon,
      step,
    );
  for (let i = done; i < n; i++) {
    const gi = heap[g + i]!;
    const mi = heap[m0 + i]! * beta1 + gi * (1 - beta1);
    const vi = heap[v0 + i]! * beta2 + gi * gi * (1 - beta2);
    heap[mOut + i] = mi;
    heap[vOut + i] = vi;
    heap[xOut + i] = heap[x + i]! + step * (mi / correction1 / (Math.sqrt(vi / correction2) + epsilon));
  }
  return outs;
}

/** The SIMD update compiled once per wasm module (its exported memory), null where it cannot be. */
const compiled = new WeakMap<object, AdamSimd | null>();
let simdDisabled = false;

/** For tests: force the JavaScript loop, to compare it with the SIMD path. */
export function setAdamSimd(enabled: boolean): void {
  simdDisabled = !enabled;
}

/** Whether the current wasm backend's Adam kernel has its SIMD update (after at least one step ran on it). */
export function adamSimdCompiled(): boolean {
  const backend = tf.engine().findBackend('wasm') as unknown as HeapBackend | null;
  return backend !== null && (compiled.get(backend.wasm) ?? null) !== null;
}

function simdFor(backend: HeapBackend): AdamSimd | null {
  if (simdDisabled) return null;
  const module = backend.wasm;
  if (!compiled.has(module)) {
    compiled.set(module, compileAdamSimd(module.asm?.memory));
  }
  return compiled.get(module)!;
}
