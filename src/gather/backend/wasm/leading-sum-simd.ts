import {
  countDown,
  END,
  get,
  I32,
  i32Add,
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
 * Column sums of a block of rows as a WebAssembly SIMD loop on tfjs-backend-wasm's heap (float32):
 *   out[j] = sum over r < rows of src[r * rowBytes + j],  j < 4 * cv
 * s<cv>(src, out, rows, rowBytes), all i32, addresses in bytes, rows >= 1, cv vectors of 4 columns (1-8) held in
 * registers while the rows stream past, so a row is read once per stripe of up to 32 columns. The caller keeps
 * the blocks short and adds their float32 sums in double precision (leading-sum.ts).
 */
export type SumTile = (src: number, out: number, rows: number, rowBytes: number) => void;

/** tiles[cv - 1]: the function for cv vectors of 4 columns. */
export type SumTiles = SumTile[];

/** Vectors a tile holds at most (32 columns: a conv layer's bias of 32 channels in one pass). */
export const MAX_VECTORS = 8;

const f32x4Add = simd(0xe4);
const ZERO = [...simd(0x0c), ...Array(16).fill(0)]; // v128.const 0

function tile(cv: number): number[] {
  const [SRC, OUT, ROWS, ROW_BYTES] = [0, 1, 2, 3];
  const acc = (j: number) => 4 + j;
  const code: number[] = [];
  for (let j = 0; j < cv; j++) code.push(...ZERO, ...set(acc(j)));
  code.push(...LOOP);
  for (let j = 0; j < cv; j++) code.push(...get(acc(j)), ...get(SRC), ...v128Load(16 * j), ...f32x4Add, ...set(acc(j)));
  code.push(...get(SRC), ...get(ROW_BYTES), ...i32Add, ...set(SRC));
  code.push(...countDown(ROWS), ...END);
  for (let j = 0; j < cv; j++) code.push(...get(OUT), ...get(acc(j)), ...v128Store(16 * j));
  return code;
}

/** The tile functions bound to `memory` (tfjs' heap), or null without WebAssembly SIMD (callers keep the JS loop). */
export function compileSumTiles(memory: unknown): SumTiles | null {
  const fns = [...Array(MAX_VECTORS).keys()].map((i) => ({
    name: `s${i + 1}`,
    params: [I32, I32, I32, I32],
    locals: [[i + 1, V128]] as Array<[number, number]>,
    code: tile(i + 1),
  }));
  const exports = instantiate(memory, moduleBytes(fns));
  return exports === null ? null : fns.map((f) => exports[f.name] as SumTile);
}
