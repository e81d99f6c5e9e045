import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { makeOptimizer } from '../../src/gather/model/build-model.js';

/** optimizer.clipnorm (the clip-gradients repair): tfjs optimizers lack it, so nnaudit wraps applyGradients. */
describe('optimizer.clipnorm', () => {
  it.each([
    // [clipnorm, expected step for the gradient [300, 400] (norm 500) at learning rate 1]
    [undefined, [-300, -400]],
    [1, [-0.6, -0.8]],
    [1000, [-300, -400]], // under the cap: untouched
  ])('clipnorm %s', (clipnorm, expected) => {
    // SGD keeps its learning-rate scalar for its lifetime: count from after it exists.
    const opt = makeOptimizer({ name: 'sgd', learningRate: 1, ...(clipnorm !== undefined ? { clipnorm } : {}) });
    const before = tf.memory().numTensors;
    const init = tf.tensor1d([0, 0]);
    const x = tf.variable(init);
    const cost = opt.minimize(() => x.mul(tf.tensor1d([300, 400])).sum() as tf.Scalar, true);
    const got = Array.from(x.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    tf.dispose([init, x, ...(cost ? [cost] : [])]);
    expect(tf.memory().numTensors, 'no tensor leaked').toBe(before);
    opt.dispose();
  });
});
