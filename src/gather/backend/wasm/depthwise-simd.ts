import {
  addLocal,
  countDown,
  END,
  get,
  I32,
  instantiate,
  LOOP,
  moduleBytes,
  set,
  simd,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

/**
 * Both depthwise-convolution gradients (channel multiplier 1, NHWC, float32) as WebAssembly SIMD loops over one
 * filter tap and a box of output positions (tap-boxes.ts), 4 to 16 channels at a time:
 *   filter: dW[tap, c] += sum over the box of x[position + tap, c] * dy[position, c]
 *   input:  dx[position + tap, c] += dy[position, c] * W[tap, c]   (every tap scattered once: the transposed conv)
 * Composed from tfjs' DepthwiseConv2dNative instead, the filter gradient convolved a [1, H, W, batch * C] image with
 * a filter as large as dy, and the input gradient needed a reversed filter, pads and, for strides, a dilated dy.
 *
 * f<cv> / i<cv>(a, dy, w, nb, abs, dybs, nh, ahs, dyhs, nw, aws, dyws), all i32, addresses in bytes: a is x (filter)
 * or dx (input), w the tap's row of dW or W, cv vectors of 4 channels (1-4); nb, nh, nw >= 1 the box's extents,
 * a.., dy.. the byte steps along them.
 */
export type DepthwiseTile = (
  a: number,
  dy: number,
  w: number,
  nb: number,
  abs: number,
  dybs: number,
  nh: number,
  ahs: number,
  dyhs: number,
  nw: number,
  aws: number,
  dyws: number,
) => void;

/** filter[cv - 1] and input[cv - 1]: the functions for cv vectors of 4 channels. */
export interface DepthwiseTiles {
  filter: DepthwiseTile[];
  input: DepthwiseTile[];
}

const [f32x4Add, f32x4Mul] = [simd(0xe4), simd(0xe6)];

function tile(cv: number, mode: 'filter' | 'input'): number[] {
  const [A, DY, W, NB, ABS, DYBS, NH, AHS, DYHS, NW, AWS, DYWS] = [...Array(12).keys()] as number[];
  const [AH, DYH, AP, DP, CH, CW] = [12, 13, 14, 15, 16, 17] as number[];
  const v = (j: number) => 18 + j; // the accumulated dW (filter) or the tap's weights (input)
  const code: number[] = [];
  for (let j = 0; j < cv; j++) code.push(...get(W!), ...v128Load(16 * j), ...set(v(j)));
  code.push(...LOOP, ...get(A!), ...set(AH!), ...get(DY!), ...set(DYH!), ...get(NH!), ...set(CH!));
  code.push(...LOOP, ...get(AH!), ...set(AP!), ...get(DYH!), ...set(DP!), ...get(NW!), ...set(CW!));
  code.push(...LOOP);
  for (let j = 0; j < cv; j++) {
    const product = [...get(AP!), ...v128Load(16 * j), ...get(DP!), ...v128Load(16 * j), ...f32x4Mul];
    const scaled = [...get(DP!), ...v128Load(16 * j), ...get(v(j)), ...f32x4Mul];
    if (mode === 'filter') code.push(...get(v(j)), ...product, ...f32x4Add, ...set(v(j)));
    else code.push(...get(AP!), ...get(AP!), ...v128Load(16 * j), ...scaled, ...f32x4Add, ...v128Store(16 * j));
  }
  code.push(...addLocal(AP!, AWS!), ...addLocal(DP!, DYWS!), ...countDown(CW!), ...END);
  code.push(...addLocal(AH!, AHS!), ...addLocal(DYH!, DYHS!), ...countDown(CH!), ...END);
  code.push(...addLocal(A!, ABS!), ...addLocal(DY!, DYBS!), ...countDown(NB!), ...END);
  if (mode === 'filter') for (let j = 0; j < cv; j++) code.push(...get(W!), ...get(v(j)), ...v128Store(16 * j));
  return code;
}

/** The tile functions bound to tfjs' heap, or null without WebAssembly SIMD (callers keep the composition). */
export function compileDepthwiseTiles(memory: unknown): DepthwiseTiles | null {
  const shapes = (['filter', 'input'] as const).flatMap((mode) => [1, 2, 3, 4].map((cv) => [mode, cv] as const));
  const bytes = moduleBytes(
    shapes.map(([mode, cv]) => ({
      name: `${mode[0]}${cv}`,
      params: Array(12).fill(I32) as number[],
      locals: [
        [6, I32],
        [cv, V128],
      ] as Array<[number, number]>,
      code: tile(cv, mode),
    })),
  );
  const exports = instantiate(memory, bytes);
  if (exports === null) return null;
  const of = (m: string) => [1, 2, 3, 4].map((cv) => exports[`${m}${cv}`] as DepthwiseTile);
  return { filter: of('f'), input: of('i') };
}
