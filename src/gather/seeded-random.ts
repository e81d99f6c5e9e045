import { createRng } from '../util/random.js';

/**
 * Runs `fn` with Math.random replaced by a seeded generator. tfjs draws its fit() shuffles and dropout
 * masks from Math.random with no seed hook, so this is the only way to make training repeatable.
 * Restored afterwards, also on error.
 */
export async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = createRng(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}
