import { tf } from '../../tf.js';
import { depthwiseFilterGradDirect, depthwiseInputGradDirect, depthwiseTilesFor } from './depthwise-direct.js';
import { dyMatches } from './tap-boxes.js';
import {
  wasmKernelOverridesEnabled,
  type HeapBackend,
  type KernelArgs,
  type KernelFunc,
  type TensorInfo,
} from './kernel-types.js';

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

const pair = (v: number | [number, number] | undefined): [number, number] =>
  v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;

/**
 * tfjs-backend-wasm has DepthwiseConv2dNative (XNNPACK) but neither of its gradients, so they ran on the cpu
 * backend through a copy bridge: a 16-image MobileNetV2 fit took 128-134 s (issue #8). Both gradients are
 * depthwise convolutions themselves, so they are composed here from wasm's own forward kernel, pad, reshape and
 * transpose. Layouts the composition does not cover (dilation > 1, NCHW, inputs that are not tensors) and the
 * "overrides off" switch go to `fallback` (the cpu bridge).
 *
 * dx = depthwise(pad(stride-dilated dy), flipped filter): the transposed convolution, one channel per
 * (channel, multiplier) pair, summed over the multiplier.
 */
export function depthwiseBackpropInputViaWasm(fallback: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const attrs = args.attrs as unknown as DepthwiseGradAttrs;
    const { dy, filter } = args.inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const inputShape = attrs.inputShape;
    if (
      !wasmKernelOverridesEnabled() ||
      !(dy instanceof tf.Tensor) ||
      !(filter instanceof tf.Tensor) ||
      inputShape === undefined
    )
      return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      attrs.strides,
      pair(attrs.dilations),
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const direct = directTiles(args, filter.shape[3] === 1 && inputShape[3] % 4 === 0 && dyMatches(dy, info), [
      dy,
      filter,
    ]);
    if (direct) return depthwiseInputGradDirect(direct.backend, direct.tiles, dy, filter, info);
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return fallback(args);
    const [b, h, w, c] = inputShape;
    const [fh, fw, , m] = filter.shape;
    const { strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const lh = (info.outHeight - 1) * sh + 1;
    const lw = (info.outWidth - 1) * sw + 1;
    const before = [fh - 1 - top, fw - 1 - left];
    const after = [h - lh + top, w - lw + left];
    if ([...before, ...after].some((p) => p < 0)) return fallback(args);
    return tf.tidy(() => {
      const dilated = dilate(dy, sh, sw);
      const padded = tf.pad(dilated, [
        [0, 0],
        [before[0]!, after[0]!],
        [before[1]!, after[1]!],
        [0, 0],
      ]);
      const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * m, 1]);
      const dx = tf.depthwiseConv2d(padded as tf.Tensor4D, flipped as tf.Tensor4D, 1, 'valid');
      return m === 1 ? dx : tf.sum(tf.reshape(dx, [b, h, w, c, m]), 4);
    });
  };
  return kernel as unknown as KernelFunc;
}

/**
 * dW[kh, kw, c, m] = sum over batch and output positions of x[b, oh*s + kh, ow*s + kw, c] * dy[b, oh, ow, c*M + m]:
 * a depthwise convolution of x with batch folded into channels ([1, H, W, B*C]) by dy as the filter
 * ([oh, ow, B*C, M], dilated by the stride), summed over the batch. Exactly the multiply-adds needed, unlike a
 * full conv2d over channel pairs.
 */
export function depthwiseBackpropFilterViaWasm(fallback: KernelFunc): KernelFunc {
  const kernel = (args: KernelArgs) => {
    const attrs = args.attrs as unknown as DepthwiseGradAttrs;
    const { x, dy } = args.inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const filterShape = attrs.filterShape;
    if (
      !wasmKernelOverridesEnabled() ||
      !(x instanceof tf.Tensor) ||
      !(dy instanceof tf.Tensor) ||
      filterShape === undefined
    )
      return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      attrs.strides,
      pair(attrs.dilations),
      attrs.pad,
      attrs.dimRoundingMode,
      true,
    );
    const direct = directTiles(args, filterShape[3] === 1 && x.shape[3] % 4 === 0 && dyMatches(dy, info), [x, dy]);
    if (direct) return depthwiseFilterGradDirect(direct.backend, direct.tiles, x, dy, info);
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return fallback(args);
    const [b, , , c] = x.shape;
    const [fh, fw, , m] = filterShape;
    const [, oh, ow] = dy.shape;
    const { top, bottom, left, right } = info.padInfo;
    return tf.tidy(() => {
      const xp =
        top || bottom || left || right
          ? tf.pad(x, [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ])
          : x;
      const xT = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1], xp.shape[2], b * c]);
      const dyT = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, b * c, m]);
      const r = tf.depthwiseConv2d(xT as tf.Tensor4D, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', [
        info.strideHeight,
        info.strideWidth,
      ]);
      const window = tf.slice(r, [0, 0, 0, 0], [1, fh, fw, b * c * m]);
      return tf.reshape(tf.sum(tf.reshape(window, [fh, fw, b, c * m]), 2), [fh, fw, c, m]);
    });
  };
  return kernel as unknown as KernelFunc;
}

let directEnabled = true;

/** For tests: force the composition, to compare it with the SIMD loops. */
export function setDepthwiseDirect(enabled: boolean): void {
  directEnabled = enabled;
}

/**
 * The SIMD loops (depthwise-direct.ts) where they apply: channel multiplier 1 and channels a multiple of 4 (`fits`,
 * MobileNet's layers), float32, and WebAssembly SIMD. They also cover dilation, which the composition sends to cpu.
 */
function directTiles(args: KernelArgs, fits: boolean, inputs: TensorInfo[]) {
  const backend = args.backend as unknown as HeapBackend;
  if (!directEnabled || !fits || inputs.some((t) => t.dtype !== 'float32')) return null;
  const tiles = depthwiseTilesFor(backend);
  return tiles === null ? null : { backend, tiles };
}

/** Inserts stride-1 zeros between rows and columns: [b, oh, ow, c] -> [b, (oh-1)*sh+1, (ow-1)*sw+1, c]. Rank 4 only, as wasm's Pad needs. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [b, oh, ow, c] = dy.shape;
  let out: tf.Tensor4D = dy;
  if (sh > 1) {
    const rows = tf.pad(tf.reshape(out, [b, oh, 1, ow * c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    out = tf.slice(tf.reshape(rows, [b, oh * sh, ow, c]), [0, 0, 0, 0], [b, (oh - 1) * sh + 1, ow, c]) as tf.Tensor4D;
  }
  if (sw > 1) {
    const lh = out.shape[1];
    const cols = tf.pad(tf.reshape(out, [b * lh, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    out = tf.slice(tf.reshape(cols, [b, lh, ow * sw, c]), [0, 0, 0, 0], [b, lh, (ow - 1) * sw + 1, c]) as tf.Tensor4D;
  }
  return out;
}
