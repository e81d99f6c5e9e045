import { describe, expect, it } from 'vitest';
import { tf } from '../../src/gather/tf.js';
import { selectBackend } from '../../src/gather/backend/backend.js';

describe('wasm backend with bridged kernels', () => {
  it.each([
    { pad: 'valid', stride: 1 },
    { pad: 'same', stride: 1 },
    { pad: 'same', stride: 2 },
    { pad: 'valid', stride: 2 },
  ] as const)(
    'conv2d filter gradients on the default backend equal the cpu backend ($pad, stride $stride)',
    async ({ pad, stride }) => {
      // The wasm backend itself, whatever 'auto' would pick: where tfjs-node installs, auto takes it and the bridged
      // kernels would go untested.
      const info = await selectBackend('wasm');
      expect(info.name).toBe('wasm');
      expect(info.bridgedKernels).toContain('Conv2DBackpropFilter');
      const grad = () =>
        tf.tidy(() => {
          const x = tf.randomNormal([2, 7, 7, 2], 0, 1, 'float32', 1);
          const f = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2);
          return tf.grad((filter: tf.Tensor) =>
            tf
              .conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, pad)
              .square()
              .sum(),
          )(f);
        });
      const onDefault = await grad().array();
      const before = tf.getBackend();
      await tf.setBackend('cpu');
      const onCpu = await grad().array();
      await tf.setBackend(before);
      expect(tf.getBackend()).toBe(before);
      const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
      expect(flat(onDefault)).toHaveLength(3 * 3 * 2 * 4);
      flat(onDefault).forEach((v, i) => expect(v).toBeCloseTo(flat(onCpu)[i]!, 2));
    },
  );

  it('records the backend and why in the result', async () => {
    const info = await selectBackend();
    expect(info.reason).toMatch(/tfjs-node|fastest|forced/);
  });
});
