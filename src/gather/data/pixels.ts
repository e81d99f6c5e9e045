import { DataError } from '../../errors.js';

/** Pixel scaling as the spec gives it: x' = (x * rescale + offset - mean) / std; mean and std per channel or one value. */
export interface PixelScaling {
  rescale: number;
  offset: number;
  mean?: number | number[] | undefined;
  std?: number | number[] | undefined;
}

/** Where a sample's channel axis is: first ([C, H, W], PyTorch) or last ([H, W, C], Keras/tfjs). */
export type ChannelAxis = 'first' | 'last';

/**
 * Scales `x` (rows of `featureShape`) in place: `x * rescale + offset`, then torchvision's `Normalize(mean, std)`,
 * which is `ToTensor()` + `Normalize` with rescale 1/255. A per-channel mean/std must name as many channels as the
 * samples have on their channel axis (a sample of rank 2 has one channel).
 */
export function scalePixels(
  x: Float32Array,
  featureShape: readonly number[],
  s: PixelScaling,
  axis: ChannelAxis,
  where: string,
): void {
  const channels =
    featureShape.length < 3 ? 1 : axis === 'first' ? featureShape[0]! : featureShape[featureShape.length - 1]!;
  const mean = perChannel(s.mean, 0, channels, 'mean', where);
  const std = perChannel(s.std, 1, channels, 'std', where);
  const size = featureShape.reduce((a, b) => a * b, 1);
  const plane = axis === 'first' && featureShape.length >= 3 ? size / channels : 1; // values between two channel steps
  const identity = s.rescale === 1 && s.offset === 0 && mean.every((m) => m === 0) && std.every((d) => d === 1);
  if (identity) return;
  for (let i = 0; i < x.length; i++) {
    const c = channels === 1 ? 0 : axis === 'first' ? Math.floor((i % size) / plane) : i % channels;
    x[i] = (x[i]! * s.rescale + s.offset - mean[c]!) / std[c]!;
  }
}

function perChannel(
  v: number | number[] | undefined,
  fallback: number,
  channels: number,
  name: 'mean' | 'std',
  where: string,
): number[] {
  if (v === undefined) return new Array<number>(channels).fill(fallback);
  if (typeof v === 'number') return new Array<number>(channels).fill(v);
  if (v.length === 1) return new Array<number>(channels).fill(v[0]!);
  if (v.length !== channels) {
    throw new DataError(
      `${where}: data.${name} gives ${v.length} values (one per channel), but each sample has ${channels} channel${channels === 1 ? '' : 's'}: ` +
        `give one value or ${channels}`,
    );
  }
  return v;
}

/** Rows of [h, w, c] laid out again as [c, h, w] (NHWC -> NCHW), for a model that takes PyTorch's layout. */
export function toChannelsFirst(x: Float32Array, rows: number, h: number, w: number, c: number): Float32Array {
  if (c === 1) return x; // one channel: the same values in the same order
  const out = new Float32Array(x.length);
  const size = h * w * c;
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[base + ch * h * w + p] = x[base + p * c + ch]!;
  }
  return out;
}
