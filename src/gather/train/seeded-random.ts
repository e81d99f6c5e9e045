import { AsyncLocalStorage } from 'node:async_hooks';
import { createRng } from '../../util/random.js';

/** The seeded generator of the training run the current async call chain belongs to, if any. */
const stream = new AsyncLocalStorage<() => number>();
// Kept after the last run ends: a module that captured Math.random meanwhile still gets a working generator.
let original: () => number = Math.random;
let running = 0;

/** Math.random while seeded runs are active: the caller's own run's generator, else the process' real one. */
function routed(): number {
  const rng = stream.getStore();
  return rng !== undefined ? rng() : original();
}

/**
 * Runs `fn` so that every Math.random call made on its behalf, across all its awaits, draws from a generator
 * seeded with `seed`. tfjs draws its fit() shuffles and dropout seeds from Math.random with no seed hook, so
 * this is what makes training repeatable.
 *
 * Concurrent runs do not share or leak a generator: while any run is active, Math.random is one router that
 * asks AsyncLocalStorage which run is calling (the context follows promises and timers), and code outside
 * every run gets the original Math.random. The original is put back when the last run ends, also on error.
 *
 * @example
 *   await withSeededMathRandom(3, () => model.fit(x, y, { shuffle: true }));
 */
export async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  if (running++ === 0) {
    original = Math.random;
    Math.random = routed;
  }
  try {
    return await stream.run(createRng(seed), fn);
  } finally {
    if (--running === 0) Math.random = original;
  }
}
