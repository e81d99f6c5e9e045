import { I32, V128, get, instantiate, moduleBytes, set, simd, v128Load, v128Store } from './wasm-asm.js';
import { registerElementwiseGradient, type ElementwiseSimd } from './elementwise-grad.js';

const KERNEL = 'NnauditReluGrad';

/**
 * The gradient of Relu in one pass on wasm: dx = dy * step(x), step(x) = NaN for a NaN x, 1 for x > 0, else 0.
 * tfjs' own gradient is Step, Cast and Multiply: two passes over the layer's output and a mask tensor, 0.68 ms of a
 * 19 ms Fashion-MNIST CNN step for its three ReLUs (0.36 ms this way; bench:profile). The same float32 product per
 * value, so dx is what tfjs computes, -0 for a negative dy and NaN for an infinite one included. Other backends,
 * dtypes and the "overrides off" switch keep tfjs' gradient.
 */
export function registerReluGrad(): string[] {
  return registerElementwiseGradient({
    of: 'Relu',
    name: KERNEL,
    compile: compileReluSimd,
    params: () => [],
    scalar: (v, dy) => dy * (v > 0 ? 1 : Number.isNaN(v) ? NaN : 0),
    onSimd: () => {
      simdCalls++;
    },
  });
}

let simdCalls = 0;
/** For tests: how many gradients the SIMD loop has computed (so a test knows which path it checked). */
export function reluGradSimdCalls(): number {
  return simdCalls;
}

/** relu(x, dy, out, n): byte addresses, n (> 0) a multiple of 4: out = dy * (x > 0 ? 1 : x == x ? 0 : NaN). */
function compileReluSimd(memory: unknown): ElementwiseSimd | null {
  const [X, DY, OUT, N, I, V, M] = [0, 1, 2, 3, 4, 5, 6];
  const [eq, gt, bitselect, mul] = [simd(0x41), simd(0x44), simd(0x52), simd(0xe6)];
  const splat = (bits: number) => [
    ...simd(0x0c),
    ...[0, 1, 2, 3].flatMap(() => [0, 8, 16, 24].map((shift) => (bits >>> shift) & 0xff)),
  ];
  const [ONE, ZERO, NAN] = [splat(0x3f800000), splat(0), splat(0x7fc00000)];
  const at = (base: number) => [...get(base), ...get(I), 0x6a];
  const code = [
    ...get(N),
    0x41,
    2,
    0x74,
    ...set(N), // n <<= 2: bytes
    0x03,
    0x40, // loop
    ...at(X),
    ...v128Load(),
    ...set(V),
    // The step: 1 where x > 0, else 0; then NaN where x is NaN (x != x).
    ...ONE,
    ...ZERO,
    ...get(V),
    ...ZERO,
    ...gt,
    ...bitselect,
    ...set(M),
    ...get(M),
    ...NAN,
    ...get(V),
    ...get(V),
    ...eq,
    ...bitselect,
    ...set(M),
    ...at(OUT),
    ...at(DY),
    ...v128Load(),
    ...get(M),
    ...mul,
    ...v128Store(),
    ...get(I),
    0x41,
    16,
    0x6a,
    0x22,
    I, // local.tee i
    ...get(N),
    0x47, // i32.ne
    0x0d,
    0, // next vector
    0x0b,
  ];
  const bytes = moduleBytes([
    {
      name: 'relu',
      params: [I32, I32, I32, I32],
      locals: [
        [1, I32],
        [2, V128],
      ],
      code,
    },
  ]);
  return (instantiate(memory, bytes)?.['relu'] as ElementwiseSimd | undefined) ?? null;
}
