import { F32, I32, V128, get, instantiate, moduleBytes, set, simd, v128Load, v128Store } from './wasm-asm.js';

/**
 * The fused Adam update as a tiny WebAssembly SIMD function that works directly on tfjs-backend-wasm's heap.
 *
 * Why: the update written as a JavaScript loop over the heap took about 20% of a 784-256-128 MLP training step
 * (node --cpu-prof: ~4.5 ns an element, 235k parameters), as much as the largest matmul. tfjs-backend-wasm
 * exports its memory (`Module.asm.memory`), so a second module can import it and run the same loop four floats
 * at a time. The module is a few hundred bytes, assembled below rather than shipped as a binary, so the
 * instructions can be read next to the formula. Where WebAssembly SIMD is unavailable the caller keeps the
 * JavaScript loop.
 *
 * Exported function: adam(x, m, v, g, xOut, mOut, vOut, n, beta1, 1-beta1, beta2, 1-beta2, c1, c2, epsilon, step)
 * with byte addresses, n a multiple of 4, all float32:
 *   m' = m*beta1 + g*(1-beta1); v' = v*beta2 + (g*g)*(1-beta2); x' = x + step*((m'/c1) / (sqrt(v'/c2) + eps)).
 * 1-beta is an argument, computed in double precision as tfjs does: in float32, 1 - 0.999 is 1.3e-5 off.
 */
export type AdamSimd = (
  x: number,
  m: number,
  v: number,
  g: number,
  xOut: number,
  mOut: number,
  vOut: number,
  n: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  correction1: number,
  correction2: number,
  epsilon: number,
  step: number,
) => void;

const splat = simd(0x13);
const [sqrt, add, mul, div] = [simd(0xe3), simd(0xe4), simd(0xe6), simd(0xe7)];

function body(): number[] {
  // Parameters 0-15 as in the signature; locals: 16 byte index i, 17 end, 18-25 splatted constants, 26-28 g, m', v'.
  const [X, M, V, G, XO, MO, VO, N, B1, OB1, B2, OB2, C1, C2, EPS, STEP] = [...Array(16).keys()] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [I, END, vB1, vOB1, vB2, vOB2, vC1, vC2, vEPS, vSTEP, g, m, v] = [
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
  ];
  const at = (base: number) => [...get(base), ...get(I), 0x6a]; // i32.add: base + i
  const code = [
    ...get(B1),
    ...splat,
    ...set(vB1),
    ...get(OB1),
    ...splat,
    ...set(vOB1),
    ...get(B2),
    ...splat,
    ...set(vB2),
    ...get(OB2),
    ...splat,
    ...set(vOB2),
    ...get(C1),
    ...splat,
    ...set(vC1),
    ...get(C2),
    ...splat,
    ...set(vC2),
    ...get(EPS),
    ...splat,
    ...set(vEPS),
    ...get(STEP),
    ...splat,
    ...set(vSTEP),
    ...get(N),
    0x41,
    2,
    0x74,
    ...set(END), // end = n << 2 (bytes)
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(I),
    ...get(END),
    0x4f,
    0x0d,
    1, // if i >= end: break
    ...at(G),
    ...v128Load(),
    ...set(g),
    ...at(M),
    ...v128Load(),
    ...get(vB1),
    ...mul,
    ...get(g),
    ...get(vOB1),
    ...mul,
    ...add,
    ...set(m),
    ...at(V),
    ...v128Load(),
    ...get(vB2),
    ...mul,
    ...get(g),
    ...get(g),
    ...mul,
    ...get(vOB2),
    ...mul,
    ...add,
    ...set(v),
    ...at(MO),
    ...get(m),
    ...v128Store(),
    ...at(VO),
    ...get(v),
    ...v128Store(),
    ...at(XO),
    ...at(X),
    ...v128Load(),
    ...get(vSTEP),
    ...get(m),
    ...get(vC1),
    ...div,
    ...get(v),
    ...get(vC2),
    ...div,
    ...sqrt,
    ...get(vEPS),
    ...add,
    ...div,
    ...mul,
    ...add,
    ...v128Store(),
    ...get(I),
    0x41,
    16,
    0x6a,
    ...set(I), // i += 16
    0x0c,
    0, // continue
    0x0b,
    0x0b, // end loop, end block
  ];
  return code;
}

/**
 * The SIMD update bound to `memory` (tfjs-backend-wasm's exported heap), or null where it cannot be: no
 * WebAssembly.Memory there, or no WebAssembly SIMD in this runtime.
 */
export function compileAdamSimd(memory: unknown): AdamSimd | null {
  const params = [...Array(8).fill(I32), ...Array(8).fill(F32)] as number[];
  const bytes = moduleBytes([
    {
      name: 'adam',
      params,
      locals: [
        [2, I32],
        [11, V128],
      ],
      code: body(),
    },
  ]);
  return (instantiate(memory, bytes)?.['adam'] as AdamSimd | undefined) ?? null;
}
