import { tf } from '../../src/gather/tf.js';

/** Deterministic inputs as plain arrays, so both backends compute on identical numbers. */
export function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Runs `fn` on wasm and on cpu (each returns tensors), leaving wasm selected. */
export async function onWasmAndCpu(fn: () => tf.Tensor[]): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const run = async () => {
    const outs = fn();
    const data = await Promise.all(outs.map(async (t) => new Float32Array(await t.data())));
    tf.dispose(outs);
    return data;
  };
  if (tf.getBackend() !== 'wasm') throw new Error('expected the wasm backend to be selected');
  const wasm = await run();
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: await run() };
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Largest absolute difference, relative to the largest magnitude (float32 sums of a few hundred terms). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
