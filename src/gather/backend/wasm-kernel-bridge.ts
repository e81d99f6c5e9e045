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
import { conv2dBackpropFilterViaMatMul } from './wasm/conv-filter-grad.js';
import { registerFusedBatchNorm } from './wasm/batchnorm-layer.js';
import { registerClipGrad } from './wasm/clip-grad.js';
import { registerRunCopySlice } from './wasm/slice.js';
import { registerLeadingSum } from './wasm/leading-sum.js';
import { registerDataInputConv } from './wasm/data-input-conv.js';
import { registerBiasAdd } from './wasm/bias-add.js';
import { registerReluGrad } from './wasm/relu-grad.js';
import { registerConvForward } from './wasm/conv-forward.js';

export { setWasmKernelOverrides } from './wasm/kernel-types.js';
export { setFusedBatchNorm } from './wasm/batchnorm-layer.js';
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
    ...registerTransposeFreeMatMuls(),
    ...registerSliceCopyGather(),
    ...registerBlockTile(),
    ...registerSharingIdentity(),
    ...registerFusedAdam(),
    ...registerPoolGrads(),
    ...registerConvInputGrad(),
    ...registerFusedBatchNorm(),
    ...registerClipGrad(),
    ...registerRunCopySlice(),
    ...registerLeadingSum(),
    ...registerDataInputConv(),
    ...registerBiasAdd(),
    ...registerReluGrad(),
    ...registerConvForward(),
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
  // tfjs-backend-cpu's Conv2DBackpropFilter is a naive loop: compute it as one im2col matrix product on wasm instead,
  // and only fall back to the cpu copy for layouts that does not cover (NCHW) or with nnaudit's kernels switched off.
  const cpuFilterGrad = tf.getKernelsForBackend('cpu').find((k) => k.kernelName === 'Conv2DBackpropFilter');
  if (!wasmKernels.has('Conv2DBackpropFilter') && cpuFilterGrad) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilterViaMatMul(bridge(cpuFilterGrad.kernelFunc)),
    });
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
    tf.registerKernel({
      kernelName: cpuKernel.kernelName,
      backendName: 'wasm',
      kernelFunc: bridge(cpuKernel.kernelFunc),
    });
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
      cpuInputs[name] = {
        dataId: cpu.write(values.slice(), info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      };
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
