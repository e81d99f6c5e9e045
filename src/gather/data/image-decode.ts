import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { DataError } from '../../errors.js';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Largest image decoded, in pixels: a 100-megapixel JPEG would allocate ~400 MB before any check. */
const MAX_PIXELS = 40_000_000;

/**
 * PNG (pngjs) or JPEG (jpeg-js) bytes -> 8-bit RGBA, chosen by the file's signature, not its name. Both libraries
 * are pure JS: no native binary to install, the same on every platform.
 */
export function decodeImage(bytes: Uint8Array, file: string): Rgba {
  const img = decode(bytes, file);
  if (img.width === 0 || img.height === 0)
    throw new DataError(`${file}: the image is empty (${img.width}x${img.height} pixels)`);
  return img;
}

function decode(bytes: Uint8Array, file: string): Rgba {
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      checkPngHeader(bytes, file);
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 512,
      });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${file}: cannot decode the image: ${(e as Error).message}`);
  }
  throw new DataError(`${file}: not a PNG or JPEG file (by its first bytes)`);
}

/**
 * A PNG's IHDR (always the first chunk, at byte 8) gives its size: checked against the pixel cap before pngjs
 * allocates the decoded image (a 60000x60000 header would claim 14 GB), as jpeg-js's maxResolutionInMP does.
 */
function checkPngHeader(bytes: Uint8Array, file: string): void {
  if (bytes.byteLength < 24)
    throw new DataError(`${file}: cannot decode the image (${bytes.byteLength} bytes, shorter than a PNG header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) throw new DataError(`${file}: the image is empty (${width}x${height} pixels)`);
  if (width * height > MAX_PIXELS) {
    throw new DataError(
      `${file}: the image is ${width}x${height} pixels, over the ${MAX_PIXELS / 1e6} MP cap of one image; resize it (nnaudit resizes to the model's input anyway)`,
    );
  }
}

/**
 * Writes `img` resized to height x width with `channels` channels into `out` at `at`, as value * rescale + offset.
 * Bilinear with half-pixel centres, as tf.image.resize (what Keras' image_dataset_from_directory uses); grey from
 * RGB with the ITU-R 601 weights tf.image.rgb_to_grayscale uses.
 */
export function resizeInto(
  img: Rgba,
  height: number,
  width: number,
  channels: number,
  scale: { rescale: number; offset: number },
  out: Float32Array,
  at: number,
): void {
  const sy = img.height / height;
  const sx = img.width / width;
  const pixel = (y: number, x: number, c: number): number => {
    const p = (y * img.width + x) * 4;
    if (channels === 1) {
      const [r, g, b] = [img.data[p]!, img.data[p + 1]!, img.data[p + 2]!];
      // A grey pixel stays exact (the weights sum to 0.9999, not 1), as decoding a grey PNG with channels=1 does.
      return r === g && g === b ? r : 0.2989 * r + 0.587 * g + 0.114 * b;
    }
    return img.data[p + c]!;
  };
  for (let oy = 0; oy < height; oy++) {
    const iy = (oy + 0.5) * sy - 0.5;
    const fy = Math.floor(iy);
    const y0 = Math.max(fy, 0);
    const y1 = Math.min(Math.ceil(iy), img.height - 1);
    const ly = iy - fy;
    for (let ox = 0; ox < width; ox++) {
      const ix = (ox + 0.5) * sx - 0.5;
      const fx = Math.floor(ix);
      const x0 = Math.max(fx, 0);
      const x1 = Math.min(Math.ceil(ix), img.width - 1);
      const lx = ix - fx;
      for (let c = 0; c < channels; c++) {
        const top = pixel(y0, x0, c) + (pixel(y0, x1, c) - pixel(y0, x0, c)) * lx;
        const bottom = pixel(y1, x0, c) + (pixel(y1, x1, c) - pixel(y1, x0, c)) * lx;
        out[at + (oy * width + ox) * channels + c] = (top + (bottom - top) * ly) * scale.rescale + scale.offset;
      }
    }
  }
}
