import { tf } from '../../tf.js';
import { convForwardDirect, forwardTilesFor, vectorsFor } from './conv-forward-simd.js';
import { convWinograd, winogradApplies, winogradFor } from './conv-winograd.js';
import {
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  replaceWasmKernel,
  type TensorInfo,
  wasmKernelOverridesEnabled,
} from './kernel-types.js';

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

interface ConvInputs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/**
 * Conv2D and FusedConv2D (tfjs-layers' conv with its bias and a linear or ReLU activation) on wasm as nnaudit's SIMD
 * loop (conv-forward-simd.ts) or, for 3x3 stride-1 convs, Winograd (conv-winograd.ts) instead of XNNPACK, where
 * it applies: NHWC float32, output channels a multiple of 4. The stride-1 input gradient (conv-input-grad.ts) calls
 * Conv2D too. Other layouts, activations, a PReLU, and runtimes without WebAssembly SIMD run tfjs' kernel.
 */
export function registerConvForward(): string[] {
  const names = ['Conv2D', 'FusedConv2D'].filter((name) => replaceWasmKernel(name, viaSimd));
  return names.map((n) => `${n} (forward)`);
}

let direct = true;
let winograd = true;

/** For tests and benchmarks: tfjs' own forward convs while the other wasm kernels stay on. */
export function setConvForwardDirect(enabled: boolean): void {
  direct = enabled;
}

/** For tests and benchmarks: the direct loop for the 3x3 stride-1 convs too. */
export function setConvWinograd(enabled: boolean): void {
  winograd = enabled;
}

function viaSimd(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as ConvInputs;
    const a = args.attrs as unknown as ConvAttrs;
    const activation = a.activation ?? 'linear';
    if (
      !direct ||
      !wasmKernelOverridesEnabled() ||
      a.dataFormat !== 'NHWC' ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      x.shape.length !== 4 ||
      filter.shape.length !== 4 ||
      (activation !== 'linear' && activation !== 'relu') ||
      preluActivationWeights != null
    )
      return original(args);
    const [, , CI, CO] = filter.shape as [number, number, number, number];
    if (x.shape[3] !== CI) return original(args);
    if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== CO))
      return original(args);
    const tiles = forwardTilesFor(backend);
    if (tiles === null || vectorsFor(CO, tiles) === 0) return original(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
    );
    const transforms = winograd && winogradApplies(info) ? winogradFor(backend) : null;
    if (transforms !== null)
      return convWinograd(backend, tiles, transforms, x, filter, bias ?? null, info, activation === 'relu');
    return convForwardDirect(backend, tiles, x, filter, bias ?? null, info, activation === 'relu');
  };
  return kernel as unknown as KernelFunc;
}
