/**
 * An independent forward pass of the k3-fashion-mnist-cnn archive: its weights are read from the zip with fflate
 * and h5wasm directly and the network runs in plain JavaScript loops, so neither nnaudit's loaders nor
 * tfjs-layers take part. It implements exactly the architecture the archive's config.json states (checked).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

interface Var {
  data: Float32Array;
  shape: number[];
}
interface H5 {
  File: new (p: string, m: 'r') => { get(p: string): { value: unknown; shape: number[] } | null; close(): void };
  ready: Promise<unknown>;
}

export const EXPECTED_LAYERS =
  'InputLayer Conv2D(32,relu) MaxPooling2D Conv2D(64,relu) MaxPooling2D Flatten Dropout Dense(64,relu) Dense(10,softmax)';

/** The archive's architecture in one line, to check it is the one `forward` implements. */
export function describeArchive(archive: string): string {
  const config = JSON.parse(Buffer.from(unzipSync(readFileSync(archive))['config.json']!).toString('utf8')) as {
    config: {
      layers: Array<{ class_name: string; config: { filters?: number; units?: number; activation?: string } }>;
    };
  };
  return config.config.layers
    .map((l) => {
      const c = l.config;
      const size = c.filters ?? c.units;
      return size === undefined ? l.class_name : `${l.class_name}(${size},${c.activation})`;
    })
    .join(' ');
}

export async function readArchiveWeights(archive: string): Promise<Record<string, Var[]>> {
  const weights = unzipSync(readFileSync(archive))['model.weights.h5']!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fashion-ref-'));
  const file = path.join(dir, 'w.h5');
  writeFileSync(file, weights);
  const h5 = ((await import('h5wasm/node')) as unknown as { default: H5 }).default;
  await h5.ready;
  const f = new h5.File(file, 'r');
  try {
    const out: Record<string, Var[]> = {};
    for (const layer of ['conv2d', 'conv2d_1', 'dense', 'dense_1']) {
      out[layer] = [0, 1].map((i) => {
        const ds = f.get(`layers/${layer}/vars/${i}`)!;
        return { data: ds.value as Float32Array, shape: ds.shape };
      });
    }
    return out;
  } finally {
    f.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** IDX (gzip) images as 0..1 floats (the app divides by 255) and their labels. */
export function readIdx(imagesGz: string, labelsGz: string): { images: Float32Array[]; labels: Uint8Array } {
  const img = gunzipSync(readFileSync(imagesGz));
  const lab = gunzipSync(readFileSync(labelsGz));
  const n = img.readUInt32BE(4);
  const rows = img.readUInt32BE(8);
  const cols = img.readUInt32BE(12);
  const images = Array.from({ length: n }, (_, i) =>
    Float32Array.from(img.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols), (v) => v / 255),
  );
  return { images, labels: lab.subarray(8, 8 + n) };
}

/** Valid convolution, stride 1, channels last; kernel [kh, kw, in, out]; plus bias, then ReLU. */
function convRelu(
  x: Float32Array,
  h: number,
  w: number,
  cin: number,
  k: Var,
  b: Var,
): { y: Float32Array; h: number; w: number } {
  const [kh, kw, , cout] = k.shape as [number, number, number, number];
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const y = new Float32Array(oh * ow * cout);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const o = (i * ow + j) * cout;
      for (let di = 0; di < kh; di++) {
        for (let dj = 0; dj < kw; dj++) {
          const xi = ((i + di) * w + (j + dj)) * cin;
          const ki = (di * kw + dj) * cin * cout;
          for (let c = 0; c < cin; c++) {
            const xv = x[xi + c]!;
            const kr = ki + c * cout;
            for (let m = 0; m < cout; m++) y[o + m]! += xv * k.data[kr + m]!;
          }
        }
      }
    }
  }
  return { y: biasRelu(y, b.data), h: oh, w: ow };
}

function biasRelu(y: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]! + b[i % b.length]!);
  return y;
}

/** 2x2 max pooling, stride 2, valid (odd edges dropped, as Keras does). */
function pool(x: Float32Array, h: number, w: number, c: number): { y: Float32Array; h: number; w: number } {
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const y = new Float32Array(oh * ow * c);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let m = 0; m < c; m++) {
        const at = (a: number, b: number) => x[((2 * i + a) * w + (2 * j + b)) * c + m]!;
        y[(i * ow + j) * c + m] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
  return { y, h: oh, w: ow };
}

function dense(x: Float32Array, k: Var, b: Var): Float32Array {
  const [nin, nout] = k.shape as [number, number];
  const y = Float32Array.from(b.data);
  for (let i = 0; i < nin; i++) {
    const xv = x[i]!;
    if (xv === 0) continue;
    for (let o = 0; o < nout; o++) y[o]! += xv * k.data[i * nout + o]!;
  }
  return y;
}

/** The predicted class of one 28x28 image (softmax is monotonic: argmax of the logits; dropout is off at inference). */
export function predictClass(w: Record<string, Var[]>, image: Float32Array): number {
  const [k1, b1] = w['conv2d']!;
  const [k2, b2] = w['conv2d_1']!;
  const [k3, b3] = w['dense']!;
  const [k4, b4] = w['dense_1']!;
  let a = convRelu(image, 28, 28, 1, k1!, b1!);
  a = pool(a.y, a.h, a.w, 32);
  a = convRelu(a.y, a.h, a.w, 32, k2!, b2!);
  a = pool(a.y, a.h, a.w, 64);
  const h = dense(a.y, k3!, b3!).map((v) => Math.max(0, v));
  const logits = dense(h, k4!, b4!);
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}
