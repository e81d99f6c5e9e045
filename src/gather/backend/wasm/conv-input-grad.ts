import { tf } from '../../tf.js';
import {
  callKernel,
  replaceWasmKernel,
  wasmKernelOverridesEnabled,
  type ConvGradAttrs,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
  heapIndices,
} from './kernel-types.js';
import { inputGradDirect, inputTilesFor } from './conv-input-simd.js';
import { dyMatches } from './tap-boxes.js';

interface InputGradAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * tfjs-backend-wasm 4.22's Conv2DBackpropInput is a direct loop, not XNNPACK: on pt-fashion-cnn it took 22% of a
 * training step (bench:profile), more than the forward convolutions. (tfjs' fused conv2d, which layers use with a
 * bias, computes the input gradient even for the first layer, whose input is data.) The input gradient is a
 * convolution of dy with the filter turned by 180 degrees and its channel axes swapped:
 *   dx[b, i, j, ci] = sum dy'[b, i + kh', j + kw', co] * W[KH-1-kh', KW-1-kw', ci, co]
 * where dy' is dy with stride-1 zeros between its rows and columns, padded by KH-1-top and KW-1-left. That runs as
 * wasm's own Conv2D (XNNPACK). With stride 1 the padding is Conv2D's own explicit padding; with larger strides
 * dy' is written out once here. Layouts this does not cover (NCHW, a pad larger than the filter) use the original.
 */
export function registerConvInputGrad(): string[] {
  return replaceWasmKernel('Conv2DBackpropInput', inputGradViaConv) ? ['Conv2DBackpropInput'] : [];
}

let directInput = true;

/** For tests: strided convs through wasm's Conv2D on a zero-spread dy, as before the SIMD loop. */
export function setConvInputDirect(enabled: boolean): void {
  directInput = enabled;
}

function inputGradViaConv(original: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const backend = args.backend as unknown as HeapBackend;
    const { dy, filter } = args.inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as InputGradAttrs;
    const conv = tf.getKernel('Conv2D', 'wasm')?.kernelFunc;
    if (
      !wasmKernelOverridesEnabled() ||
      conv === undefined ||
      a.dataFormat !== 'NHWC' ||
      dy.dtype !== 'float32' ||
      filter.dtype !== 'float32'
    )
      return original(args);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const [KH, KW, CI, CO] = filter.shape as [number, number, number, number];
    const [B, H, W] = a.inputShape;
    const [OH, OW] = [info.outHeight, info.outWidth];
    const [s, t] = [info.strideHeight, info.strideWidth];
    const top = KH - 1 - info.padInfo.top;
    const left = KW - 1 - info.padInfo.left;
    // The padded dy' must span H + KH - 1 rows: what it lacks at the bottom is padding, what it has too many is cut.
    const bottom = H + KH - 1 - top - ((OH - 1) * s + 1);
    const right = W + KW - 1 - left - ((OW - 1) * t + 1);
    if (top < 0 || left < 0) return original(args);
    // Strided convs with input channels in whole vectors: the SIMD loop, with no multiply-adds on zeros.
    const tiles =
      (s > 1 || t > 1) && CI % 4 === 0 && directInput && dyMatches(dy, info) ? inputTilesFor(backend) : null;
    if (tiles !== null) return inputGradDirect(backend, tiles, dy, filter, info);
    const turned = turnFilter(backend, filter, KH, KW, CI, CO);
    const temporaries: TensorInfo[] = [turned];
    try {
      if (s === 1 && t === 1 && bottom >= 0 && right >= 0) {
        return callKernel(
          conv,
          backend,
          { x: dy, filter: turned },
          {
            strides: 1,
            pad: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            dataFormat: 'NHWC',
            dilations: 1,
          },
        );
      }
      const spread = spreadGradient(backend, dy, [B, H + KH - 1, W + KW - 1, CO], top, left, s, t);
      temporaries.push(spread);
      return callKernel(
        conv,
        backend,
        { x: spread, filter: turned },
        { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 },
      );
    } finally {
      for (const tmp of temporaries) backend.disposeData(tmp.dataId, true);
    }
  };
  return kernel as unknown as KernelFunc;
}

/** W[KH-1-kh, KW-1-kw, ci, co] at [kh, kw, co, ci]: a few thousand elements, cheaper here than two kernel calls. */
function turnFilter(
  backend: HeapBackend,
  filter: TensorInfo,
  KH: number,
  KW: number,
  CI: number,
  CO: number,
): TensorInfo {
  const out = backend.makeOutput([KH, KW, CO, CI], 'float32');
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [src, dst] = heapIndices(backend, filter, out);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const from = src + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      const to = dst + (kh * KW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) heap[to + co * CI + ci] = heap[from + ci * CO + co]!;
      }
    }
  }
  return out;
}

/** dy with (stride - 1) zeros between rows and columns, placed at (top, left) in a zeroed tensor of `shape`. */
function spreadGradient(
  backend: HeapBackend,
  dy: TensorInfo,
  shape: [number, number, number, number],
  top: number,
  left: number,
  s: number,
  t: number,
): TensorInfo {
  const [B, PH, PW, C] = shape;
  const [, OH, OW] = dy.shape as [number, number, number, number];
  const out = backend.makeOutput(shape, 'float32');
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [src, dst] = heapIndices(backend, dy, out);
  heap.fill(0, dst, dst + B * PH * PW * C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const r = top + oh * s;
      if (r >= PH) break;
      for (let ow = 0; ow < OW; ow++) {
        const c = left + ow * t;
        if (c >= PW) break;
        const from = src + ((b * OH + oh) * OW + ow) * C;
        heap.copyWithin(dst + ((b * PH + r) * PW + c) * C, from, from + C);
      }
    }
  }
  return out;
}
