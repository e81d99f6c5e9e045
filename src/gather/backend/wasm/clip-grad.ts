import { F32, I32, V128, get, instantiate, moduleBytes, set, simd, v128Load, v128Store } from './wasm-asm.js';
import { registerElementwiseGradient, type ElementwiseSimd } from './elementwise-grad.js';

const KERNEL = 'NnauditClipByValueGrad';

/**
 * The gradient of clipByValue (tfjs-layers' ReLU with maxValue: MobileNet's ReLU6) in one pass on wasm:
 *   dx = (min <= x <= max) ? dy : 0
 * tfjs' own gradient is GreaterEqual, LessEqual, LogicalAnd, ZerosLike and Select, five passes and four new tensors
 * over activations of up to 16x112x112x96 floats: 8% of a MobileNetV2 fine-tune step (bench:profile). The loop is a
 * WebAssembly SIMD function (two compares and two ands a vector) on tfjs' heap. Other backends, dtypes and the
 * "overrides off" switch keep tfjs' gradient.
 */
export function registerClipGrad(): string[] {
  return registerElementwiseGradient({
    of: 'ClipByValue',
    name: KERNEL,
    compile: compileClipSimd,
    params: (attrs) => {
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      return [clipValueMin, clipValueMax];
    },
    scalar: (v, dy, [lo, hi]) => (v >= lo! && v <= hi! ? dy : 0),
  });
}

/** clip(x, dy, out, n, lo, hi): byte addresses, n a multiple of 4. */
function compileClipSimd(memory: unknown): ElementwiseSimd | null {
  const [X, DY, OUT, N, LO, HI, I, VLO, VHI, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const splat = simd(0x13);
  const [le, ge, and] = [simd(0x45), simd(0x46), simd(0x4e)];
  const at = (base: number) => [...get(base), ...get(I), 0x6a];
  const code = [
    ...get(LO),
    ...splat,
    ...set(VLO),
    ...get(HI),
    ...splat,
    ...set(VHI),
    ...get(N),
    0x41,
    2,
    0x74,
    ...set(N), // n <<= 2: bytes
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(I),
    ...get(N),
    0x4f,
    0x0d,
    1, // if i >= n: break
    ...at(X),
    ...v128Load(),
    ...set(V),
    ...at(OUT),
    ...get(V),
    ...get(VLO),
    ...ge,
    ...get(V),
    ...get(VHI),
    ...le,
    ...and,
    ...at(DY),
    ...v128Load(),
    ...and,
    ...v128Store(),
    ...get(I),
    0x41,
    16,
    0x6a,
    ...set(I),
    0x0c,
    0, // i += 16, continue
    0x0b,
    0x0b,
  ];
  const bytes = moduleBytes([
    {
      name: 'clip',
      params: [I32, I32, I32, I32, F32, F32],
      locals: [
        [1, I32],
        [3, V128],
      ],
      code,
    },
  ]);
  return (instantiate(memory, bytes)?.['clip'] as ElementwiseSimd | undefined) ?? null;
}
