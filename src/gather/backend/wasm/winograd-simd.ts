import {
  addConst,
  addLocal,
  countDown,
  END,
  get,
  I32,
  i32Add,
  IF,
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
 * The two transforms of Winograd's F(2x2, 3x3) convolution (Lavin and Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016) as WebAssembly SIMD loops over 4 channels at a time, NHWC float32, addresses in bytes.
 *
 * Input: each 4x4 patch d of the padded input (tiles 2 apart) becomes V = B^T d B, written as 16 planes
 * V[xi][tile][ci] (xi = row * 4 + column), with
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
 * wi(src, dst, nimg, nty, ntx, nc4, imgStep, rowStep, pixStep, planeStep): nimg images of nty x ntx tiles; src at
 * the first image's padded corner, rows rowStep and pixels pixStep apart; dst tiles pixStep (CI * 4) apart, planes
 * planeStep apart; nc4 = CI / 4.
 *
 * Output: each tile's 16 products M become the 2x2 outputs Y = A^T M A + bias (and max(0, .) when relu), with
 *   A^T = [1 1 1 0; 0 1 -1 -1].
 * wo(m, y, bias, nimg, nty, ntx, nc4, planeStep, imgStep, rowStep, pixStep, relu): m's tiles CO * 4 apart (nc4 =
 * CO / 4), planes planeStep apart; y at the first image's corner, images, rows and pixels imgStep, rowStep and
 * pixStep apart.
 *
 * Filter gradient (the same algebra run backwards: Y = A^T (U * V) A gives dU = (A dY A^T) * V, and U = G g G^T
 * gives dg = G^T dU G): each 2x2 tile of dy becomes E = A dY A^T, with A = [1 0; 1 1; 1 -1; 0 -1].
 * wd(src, dst, nimg, nty, ntx, nc4, imgStep, rowStep, pixStep, planeStep): as wi, from dy's 2x2 tiles (no padding).
 *
 * pc(src, dst, nimg, nrows, nvec, srcImg, srcRow, dstImg, dstRow): copies nvec vectors of each of nrows rows of nimg
 * images (into the zero-padded buffer the input transform reads).
 */
export type Transform = (...args: number[]) => void;
export interface WinogradTransforms {
  input: Transform;
  output: Transform;
  gradient: Transform;
  copy: Transform;
}

const [f32x4Add, f32x4Sub, f32x4Pmax, f32x4Neg] = [simd(0xe4), simd(0xe5), simd(0xeb), simd(0xe1)];
const zeroVector = [...simd(0x0c), ...Array<number>(16).fill(0)];
/** v = a op b on v128 locals. */
const op = (v: number, a: number, b: number, code: number[]) => [...get(a), ...get(b), ...code, ...set(v)];

/** The 1-D input transform of 4 values: [d0 - d2, d1 + d2, d2 - d1, d1 - d3]. */
function inputRow(out: number[], d: number[]): number[] {
  return [
    ...op(out[0]!, d[0]!, d[2]!, f32x4Sub),
    ...op(out[1]!, d[1]!, d[2]!, f32x4Add),
    ...op(out[2]!, d[2]!, d[1]!, f32x4Sub),
    ...op(out[3]!, d[1]!, d[3]!, f32x4Sub),
  ];
}

/** wi's and wd's parameters (0-9) and the locals of their loops (10-17); a body's own locals start at 18. */
const [SRC, DST, NIMG, NTY, NTX, NC4, IMG, ROW, PIX, PLANE] = [...Array(10).keys()] as number[];
const [RP, TYC, TP, TXC, Q, CC, DP, Z] = [10, 11, 12, 13, 14, 15, 16, 17];

/**
 * wi's and wd's loops: images, rows of tiles, tiles (2 pixels apart), 4 channels at a time. `body` reads a tile's
 * channels at Q into v128 locals; their 16 transformed values (`planes`) go to DP, DP + planeStep, ...
 */
function tilePass(body: number[], planes: number[]): number[] {
  const c: number[] = [];
  c.push(...get(DST!), ...set(DP));
  c.push(...LOOP, ...get(SRC!), ...set(RP), ...get(NTY!), ...set(TYC));
  c.push(...LOOP, ...get(RP), ...set(TP), ...get(NTX!), ...set(TXC));
  c.push(...LOOP, ...get(TP), ...set(Q), ...get(NC4!), ...set(CC));
  c.push(...LOOP, ...body, ...get(DP), ...set(Z));
  for (const [xi, v] of planes.entries()) {
    c.push(...get(Z), ...get(v), ...v128Store());
    if (xi < planes.length - 1) c.push(...addLocal(Z, PLANE!));
  }
  c.push(...addConst(DP, 16), ...addConst(Q, 16), ...countDown(CC), ...END);
  c.push(...addLocal(TP, PIX!), ...addLocal(TP, PIX!), ...countDown(TXC), ...END);
  c.push(...addLocal(RP, ROW!), ...addLocal(RP, ROW!), ...countDown(TYC), ...END);
  c.push(...addLocal(SRC!, IMG!), ...countDown(NIMG!), ...END);
  return c;
}

function inputTransform(): { code: number[]; i32Locals: number; v128Locals: number } {
  const R = 18;
  const d = [...Array(16).keys()].map((i) => 19 + i);
  const t = [...Array(16).keys()].map((i) => 35 + i);
  // Load the patch row by row: R walks the rows, each row's 4 pixels pixStep apart.
  const c: number[] = [...get(Q), ...set(R)];
  for (let i = 0; i < 4; i++) {
    c.push(...get(R), ...set(Z));
    for (let j = 0; j < 4; j++) {
      c.push(...get(Z), ...v128Load(), ...set(d[i * 4 + j]!));
      if (j < 3) c.push(...addLocal(Z, PIX!));
    }
    if (i < 3) c.push(...addLocal(R, ROW!));
  }
  // t = d B (each row), then V = B^T t (each column), written back into d.
  for (let i = 0; i < 4; i++) c.push(...inputRow(t.slice(i * 4, i * 4 + 4), d.slice(i * 4, i * 4 + 4)));
  for (let k = 0; k < 4; k++) {
    const col = [0, 1, 2, 3].map((i) => i * 4 + k);
    c.push(
      ...inputRow(
        col.map((i) => d[i]!),
        col.map((i) => t[i]!),
      ),
    );
  }
  return { code: tilePass(c, d), i32Locals: 9, v128Locals: 32 };
}

/** The 1-D output transform of 4 values: [m0 + m1 + m2, m1 - m2 - m3]. */
function outputRow(out: number[], m: number[]): number[] {
  return [
    ...op(out[0]!, m[0]!, m[1]!, f32x4Add),
    ...op(out[0]!, out[0]!, m[2]!, f32x4Add),
    ...op(out[1]!, m[1]!, m[2]!, f32x4Sub),
    ...op(out[1]!, out[1]!, m[3]!, f32x4Sub),
  ];
}

function outputTransform(): { code: number[]; i32Locals: number; v128Locals: number } {
  const [M, Y, BIAS, NIMG, NTY, NTX, NC4, PLANE, IMG, ROW, PIX, RELU] = [...Array(12).keys()] as number[];
  let next = 12;
  const [YI, YR, TYC, YT, TXC, YP, BP, CC, Z] = [...Array(9).keys()].map(() => next++) as number[];
  const i32Locals = next - 12;
  const m = [...Array(16).keys()].map(() => next++);
  const s = [...Array(8).keys()].map(() => next++);
  const y = [...Array(4).keys()].map(() => next++);
  const bias = next++;
  const v128Locals = next - 12 - i32Locals;
  const c: number[] = [];
  c.push(...get(Y!), ...set(YI!));
  c.push(...LOOP, ...get(YI!), ...set(YR!), ...get(NTY!), ...set(TYC!));
  c.push(...LOOP, ...get(YR!), ...set(YT!), ...get(NTX!), ...set(TXC!));
  c.push(...LOOP, ...get(YT!), ...set(YP!), ...get(BIAS!), ...set(BP!), ...get(NC4!), ...set(CC!));
  c.push(...LOOP, ...get(M!), ...set(Z!));
  for (let xi = 0; xi < 16; xi++) {
    c.push(...get(Z!), ...v128Load(), ...set(m[xi]!));
    if (xi < 15) c.push(...addLocal(Z!, PLANE!));
  }
  // s = A^T M (2 rows of 4), then Y = s A (2 columns), plus the bias.
  for (let k = 0; k < 4; k++) {
    c.push(...outputRow([s[k]!, s[4 + k]!], [m[k]!, m[4 + k]!, m[8 + k]!, m[12 + k]!]));
  }
  c.push(...get(BP!), ...v128Load(), ...set(bias));
  for (let i = 0; i < 2; i++) {
    c.push(...outputRow([y[i * 2]!, y[i * 2 + 1]!], s.slice(i * 4, i * 4 + 4)));
    for (let j = 0; j < 2; j++) c.push(...op(y[i * 2 + j]!, y[i * 2 + j]!, bias, f32x4Add));
  }
  c.push(...get(RELU!), ...IF);
  for (const v of y) c.push(...get(v), ...zeroVector, ...f32x4Pmax, ...set(v));
  c.push(...END);
  c.push(...get(YP!), ...get(y[0]!), ...v128Store());
  c.push(...get(YP!), ...get(PIX!), ...i32Add, ...get(y[1]!), ...v128Store());
  c.push(...get(YP!), ...get(ROW!), ...i32Add, ...set(Z!), ...get(Z!), ...get(y[2]!), ...v128Store());
  c.push(...get(Z!), ...get(PIX!), ...i32Add, ...get(y[3]!), ...v128Store());
  c.push(...addConst(M!, 16), ...addConst(YP!, 16), ...addConst(BP!, 16), ...countDown(CC!), ...END);
  c.push(...addLocal(YT!, PIX!), ...addLocal(YT!, PIX!), ...countDown(TXC!), ...END);
  c.push(...addLocal(YR!, ROW!), ...addLocal(YR!, ROW!), ...countDown(TYC!), ...END);
  c.push(...addLocal(YI!, IMG!), ...countDown(NIMG!), ...END);
  return { code: c, i32Locals, v128Locals };
}

/** A applied to 2 values: [e0, e0 + e1, e0 - e1, -e1]. */
function gradientRow(out: number[], e: number[]): number[] {
  return [
    ...get(e[0]!),
    ...set(out[0]!),
    ...op(out[1]!, e[0]!, e[1]!, f32x4Add),
    ...op(out[2]!, e[0]!, e[1]!, f32x4Sub),
    ...get(e[1]!),
    ...f32x4Neg,
    ...set(out[3]!),
  ];
}

function gradientTransform(): { code: number[]; i32Locals: number; v128Locals: number } {
  const e = [18, 19, 20, 21];
  const t = [...Array(8).keys()].map((i) => 22 + i);
  const u = [...Array(16).keys()].map((i) => 30 + i);
  const c: number[] = [];
  c.push(...get(Q), ...v128Load(), ...set(e[0]!), ...get(Q), ...get(PIX!), ...i32Add, ...v128Load(), ...set(e[1]!));
  c.push(...get(Q), ...get(ROW!), ...i32Add, ...set(Z));
  c.push(...get(Z), ...v128Load(), ...set(e[2]!), ...get(Z), ...get(PIX!), ...i32Add, ...v128Load(), ...set(e[3]!));
  // t = dY A^T (2 rows of 4), then E = A t (4 rows of 4).
  for (let i = 0; i < 2; i++) c.push(...gradientRow(t.slice(i * 4, i * 4 + 4), e.slice(i * 2, i * 2 + 2)));
  for (let k = 0; k < 4; k++)
    c.push(
      ...gradientRow(
        [0, 1, 2, 3].map((i) => u[i * 4 + k]!),
        [t[k]!, t[4 + k]!],
      ),
    );
  return { code: tilePass(c, u), i32Locals: 8, v128Locals: 28 };
}

function copyRows(): { code: number[]; i32Locals: number; v128Locals: number } {
  const [SRC, DST, NIMG, NROWS, NVEC, SIMG, SROW, DIMG, DROW] = [...Array(9).keys()] as number[];
  const [RC, SR, DR, VC, SP, DQ] = [9, 10, 11, 12, 13, 14];
  const c: number[] = [];
  c.push(...LOOP, ...get(SRC!), ...set(SR), ...get(DST!), ...set(DR), ...get(NROWS!), ...set(RC));
  c.push(...LOOP, ...get(SR), ...set(SP), ...get(DR), ...set(DQ), ...get(NVEC!), ...set(VC));
  c.push(...LOOP, ...get(DQ), ...get(SP), ...v128Load(), ...v128Store());
  c.push(...addConst(SP, 16), ...addConst(DQ, 16), ...countDown(VC), ...END);
  c.push(...addLocal(SR, SROW!), ...addLocal(DR, DROW!), ...countDown(RC), ...END);
  c.push(...addLocal(SRC!, SIMG!), ...addLocal(DST!, DIMG!), ...countDown(NIMG!), ...END);
  return { code: c, i32Locals: 6, v128Locals: 0 };
}

/** The transforms and the copy bound to tfjs' heap, or null without WebAssembly SIMD. */
export function compileWinogradTransforms(memory: unknown): WinogradTransforms | null {
  const fns = {
    wi: [10, inputTransform()],
    wo: [12, outputTransform()],
    wd: [10, gradientTransform()],
    pc: [9, copyRows()],
  } as const;
  const exports = instantiate(
    memory,
    moduleBytes(
      Object.entries(fns).map(([name, [params, f]]) => ({
        name,
        params: Array<number>(params).fill(I32),
        locals: [
          [f.i32Locals, I32],
          [f.v128Locals, V128],
        ] as Array<[number, number]>,
        code: f.code,
      })),
    ),
  );
  if (exports === null) return null;
  const fn = (name: string) => exports[name] as Transform;
  return { input: fn('wi'), output: fn('wo'), gradient: fn('wd'), copy: fn('pc') };
}
