import { tf } from './tf.js';

type KernelConfig = ReturnType<typeof tf.getKernelsForBackend>[number];
type KernelFunc = KernelConfig['kernelFunc'];
type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type BackendWithData = {
  readSync(dataId: object): tf.TypedArray | string[];
  write(values: tf.TypedArray | null, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};
type WasmBackend = BackendWithData & {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): TensorInfo;
};

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
  const cpuKernels = tf.getKernelsForBackend('cpu').filter((k) => !wasmKernels.has(k.kernelName));
  const bridged: string[] = [];
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
