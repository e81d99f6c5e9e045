import { tf } from '../../tf.js';
import {
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  type WasmBackend,
  heapAddress,
} from './kernel-types.js';

interface WasmData {
  memoryOffset: number;
}
type GatherBackend = WasmBackend & { dataIdMap: { get(dataId: object): WasmData | undefined } };

/** Below this many bytes per gathered slice, a copy per slice costs more than the C++ loop it replaces. */
const MIN_SLICE_BYTES = 64;

/**
 * model.fit takes every batch with tf.gather(x, shuffledRows). tfjs-backend-wasm 4.22's Gather computes each
 * element's address separately: 64 rows of 784 floats took 5 ms a call here, 13% of a 784-256-128 MLP's
 * training step (bench:profile). Gathered slices are contiguous in the wasm heap, so copy each with one
 * memmove (copyWithin) instead. Index checks are kept; small slices go to the original kernel.
 */
export function registerSliceCopyGather(): string[] {
  return replaceWasmKernel('GatherV2', sliceCopyGather) ? ['GatherV2'] : [];
}

function sliceCopyGather(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as GatherBackend;
    const { x, indices } = args.inputs as unknown as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims = 0 } = args.attrs as unknown as { axis: number | number[]; batchDims?: number };
    if (!wasmKernelOverridesEnabled() || x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
      x as unknown as tf.TensorInfo,
      indices as unknown as tf.TensorInfo,
      parsedAxis,
      batchDims,
    );
    const bytesPerElement = x.dtype === 'bool' ? 1 : 4;
    const sliceBytes = info.sliceSize * bytesPerElement;
    if (sliceBytes < MIN_SLICE_BYTES || tf.util.sizeFromShape(x.shape) === 0) return original(args);
    const ids = backend.readSync(indices.dataId) as tf.TypedArray;
    const dimSize = info.dimSize;
    for (const index of ids) {
      if (!(index >= 0 && index <= dimSize - 1))
        throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
    }
    const perBatch = ids.length / info.batchSize;
    const out = backend.makeOutput(info.outputShape, x.dtype);
    // Offsets are read after makeOutput: an allocation may grow (and so replace) the heap's buffer.
    const xOffset = heapAddress(backend, x);
    const outOffset = heapAddress(backend, out);
    const heap = backend.wasm.HEAPU8;
    let o = outOffset;
    for (let b = 0; b < info.batchSize; b++) {
      for (let outer = 0; outer < info.outerSize; outer++) {
        const base = xOffset + (b * info.outerSize + outer) * dimSize * sliceBytes;
        for (let i = 0; i < perBatch; i++) {
          const src = base + ids[b * perBatch + i]! * sliceBytes;
          heap.copyWithin(o, src, src + sliceBytes);
          o += sliceBytes;
        }
      }
    }
    return out;
  };
  return kernel as unknown as KernelFunc;
}
