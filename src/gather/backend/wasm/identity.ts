import {
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
} from './kernel-types.js';

type RefCountingBackend = { incRef(dataId: object): void };

/**
 * tfjs-backend-wasm's Identity copies its input into a new buffer. The engine calls it for every tensor it saves
 * for the backward pass (31 calls a step on the 784-256-128 MLP, the weights among them), so each training step
 * copied every saved weight and activation once. Tensors are immutable, so like the cpu backend's Identity (and
 * wasm's own Reshape) this one shares the buffer and counts one more reference. The one kernel that writes into an
 * existing buffer, nnaudit's fused Adam, does so only when the buffer's reference count is 1.
 */
export function registerSharingIdentity(): string[] {
  const names: string[] = [];
  if (replaceWasmKernel('Identity', sharingIdentity)) names.push('Identity');
  if (replaceWasmKernel('Cast', sharingCast)) names.push('Cast');
  return names;
}

function sharingIdentity(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    if (!wasmKernelOverridesEnabled() || x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return kernel as unknown as KernelFunc;
}

/**
 * tfjs-backend-wasm's Cast copies even to the dtype the tensor has: the gradient of every ReLU casts its float32 mask
 * to float32 (tfjs-core: dy * cast(step(x), 'float32')), a copy of the layer's whole output each step and each probe.
 * A cast to the same dtype shares the buffer, as the cpu backend's does; other casts convert as before.
 */
function sharingCast(original: KernelFunc): KernelFunc {
  const share = sharingIdentity(original);
  const kernel = (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: string };
    return dtype === x.dtype ? share(args) : original(args);
  };
  return kernel as unknown as KernelFunc;
}
