import { tf } from '../tf.js';
import { depthwiseBackpropFilterViaWasm, depthwiseBackpropInputViaWasm } from './wasm/depthwise.js';
import type { KernelFunc, TensorInfo } from './wasm/kernel-types.js';
import { registerFusedAdam } from './wasm/adam.js';
import { registerSliceCopyGather } from './wasm/gather.js';
import { registerSharingIdentity } from './wasm/identity.js';
import { registerTransposeFreeMatMuls } from './wasm/matmul.js';
import { registerBlockTile } from './wasm/tile.js';
import { registerPoolGrads } from './wasm/pool-grad.js';
import { registerConvInputGrad } from './wasm/conv-input-grad.js';

export { setWasmKernelOverrides } from './wasm/kernel-types.js';
type BackendWithData = {
  readSync(dataId: object): tf.TypedArray | string[];
  write(values: tf.TypedArray | null, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};
type WasmBackend = BackendWithData & {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): TensorInfo;
};

/**
 * Every wasm kernel nnaudit adds or replaces: the missing ones (composed from wasm ops where that is much faster,
 * else bridged to cpu) and the faster transpose-free matmuls. `setWasmKernelOverrides(false)` turns the composed
 * and replaced ones back into tfjs' own behaviour (for before/after benchmarks).
 *
 * @returns the names of the kernels bridged, composed or replaced.
 */
export function registerWasmKernels(): string[] {
  return [
    ...registerTransposeFreeMatMuls(), ...registerSliceCopyGather(), ...registerBlockTile(), ...registerSharingIdentity(), ...registerFusedAdam(),
    ...registerPoolGrads(), ...registerConvInputGrad(),
    ...bridgeMissingWasmKernels(),
  ];
}

/**
 * The wasm backend lacks a few kernels the audit needs (Conv2DBackpropFilter: every CNN gradient).
 * Rather than dropping CNNs to the ~6x slower cpu backend, register each missing wasm kernel as a
 * bridge that copies its inputs to the cpu backend, runs the cpu kernel, and copies the result back.
 * The copy costs one memcpy per input and output; everything else stays on wasm.
 *
 * @returns the names of the kernels bridged.
 */
export function bridgeMissingWasmKernels(): string[] {
  const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  // tfjs-backend-cpu's Conv2DBackpropFilter is a naive loop (~150 ms for a 32x16x16 batch here): compose it from
  // wasm's own fast conv2d instead, and only fall back to the cpu copy for layouts the composition does not cover.
  const cpuFilterGrad = tf.getKernelsForBackend('cpu').find((k) => k.kernelName === 'Conv2DBackpropFilter');
  if (!wasmKernels.has('Conv2DBackpropFilter') && cpuFilterGrad) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterViaConv(bridge(cpuFilterGrad.kernelFunc)) });
    wasmKernels.add('Conv2DBackpropFilter');
  }
  const bridged: string[] = ['Conv2DBackpropFilter'];
  const composed: Record<string, (fallback: KernelFunc) => KernelFunc> = {
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputViaWasm,
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterViaWasm,
  };
  for (const [name, compose] of Object.entries(composed)) {
    const cpuKernel = tf.getKernelsForBackend('cpu').find((k) => k.kernelName === name);
    if (wasmKernels.has(name) || !cpuKernel) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: compose(bridge(cpuKernel.kernelFunc)) });
    wasmKernels.add(name);
    bridged.push(name);
  }
  const cpuKernels = tf.getKernelsForBackend('cpu').filter((k) => !wasmKernels.has(k.kernelName));
  for (const cpuKernel of cpuKernels) {
    // String and complex kernels have no wasm data representation to copy into.
    if (/Complex|FFT|Imag|Real|Regex|Ragged|Draw|Einsum/.test(cpuKernel.kernelName)) continue;
    tf.registerKernel({ kernelName: cpuKernel.kernelName, backendName: 'wasm', kernelFunc: bridge(cpuKernel.kernelFunc) });
    bridged.push(cpuKernel.kernelName);
  }
  return bridged;
}

function bridge(cpuKernelFunc: KernelFunc): KernelFunc {
  const bridged = (args: Parameters<KernelFunc>[0]) => {
    const wasm = args.backend as unknown as WasmBackend;
    const cpu = tf.engine().findBackend('cpu') as unknown as BackendWithData | null;
    if (cpu === null) throw new Error('the cpu backend is not available to bridge a wasm kernel');
    const cpuInputs: Record<string, TensorInfo> = {};
    for (const [name, info] of Object.entries(args.inputs as Record<string, TensorInfo>)) {
      const values = wasm.readSync(info.dataId) as tf.TypedArray;
      cpuInputs[name] = { dataId: cpu.write(values.slice(), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
    }
    try {
      const out = cpuKernelFunc({ ...args, inputs: cpuInputs, backend: cpu } as unknown as Parameters<KernelFunc>[0]);
      const outs = (Array.isArray(out) ? out : [out]) as TensorInfo[];
      const copied = outs.map((o) => {
        const values = cpu.readSync(o.dataId) as tf.TypedArray;
        const result = wasm.makeOutput(o.shape, o.dtype, undefined, values);
        cpu.disposeData(o.dataId, true);
        return result;
      });
      return Array.isArray(out) ? copied : copied[0]!;
    } finally {
      for (const info of Object.values(cpuInputs)) cpu.disposeData(info.dataId, true);
    }
  };
  return bridged as unknown as KernelFunc;
}

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * dW[kh, kw, ci, co] = sum over batch and output positions of x[b, oh*s + kh, ow*s + kw, ci] * dy[b, oh, ow, co]:
 * a convolution of x (batch moved to channels) with dy (as a filter dilated by the stride). Runs as ordinary wasm
 * ops; nested ops inside a kernel are not taped, so gradients of gradients are unaffected.
 */
function conv2dBackpropFilterViaConv(fallback: KernelFunc): KernelFunc {
  const composed = (args: Parameters<KernelFunc>[0]) => {
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const inputs = args.inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    if (attrs.dataFormat !== 'NHWC' || !(inputs.x instanceof tf.Tensor) || !(inputs.dy instanceof tf.Tensor)) return fallback(args);
    const [kh, kw, ci, co] = attrs.filterShape;
    const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
    const info = tf.backend_util.computeConv2DInfo(inputs.x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    return tf.tidy(() => {
      const { top, bottom, left, right } = info.padInfo;
      const xp = top || bottom || left || right ? tf.pad(inputs.x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : inputs.x;
      const xT = tf.transpose(xp, [3, 1, 2, 0]);
      const dyT = tf.transpose(inputs.dy, [1, 2, 0, 3]);
      const r = tf.conv2d(xT as tf.Tensor4D, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', [sh, sw]);
      return tf.transpose(tf.slice(r, [0, 0, 0, 0], [ci, kh, kw, co]), [1, 2, 0, 3]);
    });
  };
  return composed as unknown as KernelFunc;
}
