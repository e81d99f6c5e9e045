import {
  type AsmFunction,
  get,
  I32,
  instantiate,
  moduleBytes,
  set,
  simd,
  V128,
  v128Load,
  v128Store,
} from './wasm-asm.js';

/**
 * The two loops of the fused batch norm (./batchnorm.ts) as WebAssembly SIMD functions on tfjs-backend-wasm's heap,
 * four channels at a time, built with the project's assembler (./wasm-asm.ts). As JavaScript loops over the heap
 * they cost about 4.5 ns an element a pass (CPU time, 64x28x28x16: 7.2 ms forward, 9.6 ms backward a call).
 *
 * Both walk `count` rows of C4 = 4 * channels bytes (C4 a multiple of 16); all arguments are byte addresses.
 *   sums(u, n, v, m, s, q, count, C4):       s[c] += u - n[c];  q[c] += (u - n[c]) * (v - m[c])
 *   apply(u, v, m, a, b, k, out, count, C4): out = a[c] * u + b[c] + k[c] * (v - m[c])
 * The sums are float32: the caller runs them over blocks of rows and adds the block sums up in double precision.
 */
export interface BatchNormSimd {
  sums(u: number, n: number, v: number, m: number, s: number, q: number, count: number, c4: number): void;
  apply(u: number, v: number, m: number, a: number, b: number, k: number, out: number, count: number, c4: number): void;
}

const [add, sub, mul] = [simd(0xe4), simd(0xe5), simd(0xe6)];
const I32_ADD = 0x6a;

/** The loop both functions share: `step` per 16 bytes at row byte offset i and channel byte offset c. */
function loop(count: number, c4: number, i: number, c: number, end: number, step: number[]): number[] {
  return [
    ...get(count),
    ...get(c4),
    0x6c, // i32.mul
    ...set(end),
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(i),
    ...get(end),
    0x4f,
    0x0d,
    1, // if i >= end: break
    ...step,
    ...get(i),
    0x41,
    16,
    I32_ADD,
    ...set(i),
    0x41,
    0, // i32.const 0
    ...get(c),
    0x41,
    16,
    I32_ADD,
    ...set(c),
    ...get(c),
    ...get(c),
    ...get(c4),
    0x46, // i32.eq
    0x1b, // select: 0 when c reached the row's end, else c
    ...set(c),
    0x0c,
    0, // continue
    0x0b,
    0x0b, // end loop, end block (moduleBytes ends the function)
  ];
}

function sumsBody(): AsmFunction {
  const [U, N, V, M, S, Q, COUNT, C4, i, c, end, a] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const at = (base: number, idx: number) => [...get(base), ...get(idx), I32_ADD];
  const step = [
    ...at(U, i),
    ...v128Load(),
    ...at(N, c),
    ...v128Load(),
    ...sub,
    ...set(a),
    ...at(S, c),
    ...at(S, c),
    ...v128Load(),
    ...get(a),
    ...add,
    ...v128Store(),
    ...at(Q, c),
    ...at(Q, c),
    ...v128Load(),
    ...get(a),
    ...at(V, i),
    ...v128Load(),
    ...at(M, c),
    ...v128Load(),
    ...sub,
    ...mul,
    ...add,
    ...v128Store(),
  ];
  const code = loop(COUNT, C4, i, c, end, step);
  return {
    name: 'sums',
    params: Array(8).fill(I32),
    locals: [
      [3, I32],
      [1, V128],
    ],
    code,
  };
}

function applyBody(): AsmFunction {
  const [U, V, M, A, B, K, OUT, COUNT, C4, i, c, end] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const at = (base: number, idx: number) => [...get(base), ...get(idx), I32_ADD];
  const step = [
    ...at(OUT, i),
    ...at(A, c),
    ...v128Load(),
    ...at(U, i),
    ...v128Load(),
    ...mul,
    ...at(B, c),
    ...v128Load(),
    ...add,
    ...at(K, c),
    ...v128Load(),
    ...at(V, i),
    ...v128Load(),
    ...at(M, c),
    ...v128Load(),
    ...sub,
    ...mul,
    ...add,
    ...v128Store(),
  ];
  const code = loop(COUNT, C4, i, c, end, step);
  return { name: 'apply', params: Array(9).fill(I32), locals: [[3, I32]], code };
}

/** The functions bound to `memory` (tfjs-backend-wasm's heap), or null without WebAssembly SIMD. */
export function compileBatchNormSimd(memory: unknown): BatchNormSimd | null {
  const exports = instantiate(memory, moduleBytes([sumsBody(), applyBody()]));
  return exports === null ? null : (exports as unknown as BatchNormSimd);
}
