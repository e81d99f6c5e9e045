import type { tf } from '../../tf.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * Bytes of x and dy per box: every filter tap and channel tile sweeps a box again, so it should stay in the core's
 * cache (512 KB of L2 on this machine's EPYC); at least one image row either way.
 */
const CHUNK_BYTES = 192 * 1024;

/**
 * Whether dy has the shape the conv info derives ([batch, outHeight, outWidth, outChannels]): the SIMD loops read
 * dy by those extents, so any other shape goes to a kernel that checks (and throws) rather than reading past it.
 */
export function dyMatches(dy: { shape: number[] }, info: ConvInfo): boolean {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return dy.shape.length === 4 && expected.every((d, i) => dy.shape[i] === d);
}

/** One filter tap over one cache-sized box of output positions: pixel indices (b*H*W + h*W + w) of its corner. */
export interface TapBox {
  /** kh * KW + kw */
  tap: number;
  nb: number;
  nh: number;
  nw: number;
  xPixel: number;
  dyPixel: number;
}

/**
 * For each cache-sized box of the batch, each filter tap (kh, kw) and the output positions whose window reaches
 * inside x at that tap: a rectangle, so the SIMD loops never read padding. Dilation as in a depthwise conv.
 */
export function* tapBoxes(info: ConvInfo, imageBytes: number, rowBytes: number): Generator<TapBox> {
  const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  // Output positions whose tap offset k reaches inside x (length n, stride s, padding p): [lo, hi).
  const inside = (k: number, p: number, s: number, n: number, outN: number): [number, number] => [
    Math.max(0, Math.ceil((p - k) / s)),
    Math.min(outN, Math.floor((n - 1 + p - k) / s) + 1),
  ];
  for (const [b0, nb, r0, r1] of cacheBoxes(B, OH, imageBytes, rowBytes)) {
    for (let kh = 0; kh < KH; kh++) {
      const [lo, hi] = inside(kh * dh, top, sh, H, OH);
      const [oh0, oh1] = [Math.max(lo, r0), Math.min(hi, r1)];
      if (oh1 <= oh0) continue;
      for (let kw = 0; kw < KW; kw++) {
        const [ow0, ow1] = inside(kw * dw, left, sw, W, OW);
        if (ow1 <= ow0) continue;
        yield {
          tap: kh * KW + kw,
          nb,
          nh: oh1 - oh0,
          nw: ow1 - ow0,
          xPixel: (b0 * H + oh0 * sh + kh * dh - top) * W + ow0 * sw + kw * dw - left,
          dyPixel: (b0 * OH + oh0) * OW + ow0,
        };
      }
    }
  }
}

/**
 * The batch cut into boxes [first image, images, first output row, end row) whose x and dy stay in cache: whole
 * images while one fits (tiny-resnet: 4-5 images of 14x14x16 and x32), else bands of output rows within one image
 * (MobileNetV2's 112x112x96 dy is 4.8 MB an image: swept whole, 12 tiles a tap ran at a third of the speed).
 */
export function cacheBoxes(
  images: number,
  rows: number,
  imageBytes: number,
  rowBytes: number,
): Array<[number, number, number, number]> {
  const boxes: Array<[number, number, number, number]> = [];
  if (imageBytes <= CHUNK_BYTES) {
    const chunk = Math.floor(CHUNK_BYTES / imageBytes);
    for (let b = 0; b < images; b += chunk) boxes.push([b, Math.min(chunk, images - b), 0, rows]);
    return boxes;
  }
  const band = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  for (let b = 0; b < images; b++) {
    for (let r = 0; r < rows; r += band) boxes.push([b, 1, r, Math.min(rows, r + band)]);
  }
  return boxes;
}
