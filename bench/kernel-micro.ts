/**
 * `node dist/bench/kernel-micro.js <kernel>`: one kernel timed alone on the fashion-cnn and tiny-resnet shapes,
 * nnaudit's version against tfjs' own (overrides off), alternated, medians of CPU time per call. A kernel's own
 * cost without the rest of a training step, for before/after numbers on a busy machine. `--simd` (maxpoolgrad,
 * avgpoolgrad, leadingsum): nnaudit's SIMD loops against its JavaScript loops instead of tfjs' kernel.
 */
import { selectBackend } from '../src/gather/backend/backend.js';
import { cpuMsSince } from '../src/util/cpu-time.js';
import { setWasmKernelOverrides } from '../src/gather/backend/wasm-kernel-bridge.js';
import { setFilterGradPath } from '../src/gather/backend/wasm/conv-filter-grad.js';
import { setDepthwiseDirect } from '../src/gather/backend/wasm/depthwise.js';
import { tf } from '../src/gather/tf.js';
import { BN_TRAIN, BN_TRAIN_GRAD } from '../src/gather/backend/wasm/batchnorm.js';
import { setPoolGradSimd } from '../src/gather/backend/wasm/pool-grad.js';
import { setLeadingSumSimd } from '../src/gather/backend/wasm/leading-sum.js';

type Case = { label: string; run: () => tf.Tensor | tf.Tensor[] };

const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);

function cases(kernel: string): Case[] {
  if (kernel === 'maxpoolgrad' || kernel === 'avgpoolgrad') {
    // fashion-cnn's two 2x2 pools, and a ResNet stem's 3x3 stride-2 'same' pool (overlapping, clipped windows).
    return (
      [
        [[64, 28, 28, 16], 2],
        [[64, 14, 14, 32], 2],
        [[16, 56, 56, 16], 3],
      ] as Array<[[number, number, number, number], number]>
    ).map(([shape, size]) => {
      const x = rand(shape);
      const attrs = { filterSize: size, strides: 2, pad: size === 2 ? 'valid' : 'same' } as const;
      const y = tf.maxPool(x as tf.Tensor4D, size, 2, attrs.pad);
      const dy = rand(y.shape);
      const name = kernel === 'maxpoolgrad' ? 'MaxPoolGrad' : 'AvgPoolGrad';
      const inputs: tf.NamedTensorMap = kernel === 'maxpoolgrad' ? { dy, input: x, output: y } : { dy, input: x };
      return {
        label: `${name} ${shape.join('x')} ${size}x${size} s2 ${attrs.pad}`,
        run: () => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor,
      };
    });
  }
  if (kernel === 'leadingsum') {
    // fashion-cnn's bias gradients (two convs, two dense layers), batch 64.
    return [
      [64, 28, 28, 16],
      [64, 14, 14, 32],
      [64, 64],
      [64, 10],
    ].map((shape) => {
      const x = rand(shape);
      const axis = [...Array(shape.length - 1).keys()];
      return { label: `Sum ${shape.join('x')} over ${axis.join(',')}`, run: () => tf.sum(x, axis) };
    });
  }
  if (kernel === 'inputgrad' || kernel === 'inputgrad-mnv2') {
    // fashion-cnn's and tiny-resnet's convs (batch 64), or MobileNetV2's (alpha 0.35) 1x1 convs (batch 16).
    const shapes =
      kernel === 'inputgrad'
        ? [
            [[64, 28, 28, 1], [3, 3, 1, 16], 1],
            [[64, 14, 14, 16], [3, 3, 16, 32], 1],
            [[64, 28, 28, 16], [3, 3, 16, 32], 2],
            [[64, 28, 28, 16], [1, 1, 16, 32], 2],
          ]
        : [
            [[16, 112, 112, 8], [1, 1, 8, 48], 1],
            [[16, 56, 56, 48], [1, 1, 48, 8], 1],
            [[16, 28, 28, 16], [1, 1, 16, 96], 1],
            [[16, 7, 7, 112], [1, 1, 112, 336], 1],
          ];
    return (shapes as Array<[[number, number, number, number], [number, number, number, number], number]>).map(
      ([xs, fs, s]) => {
        const filter = rand(fs);
        const out = Math.ceil(xs[1] / s);
        const dy = rand([xs[0], out, out, fs[3]]);
        return {
          label: `Conv2DBackpropInput x ${xs.join('x')} f ${fs.join('x')} s${s}`,
          run: () =>
            tf
              .engine()
              .runKernel(
                'Conv2DBackpropInput',
                { dy, filter },
                { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: xs },
              ) as tf.Tensor,
        };
      },
    );
  }
  if (kernel === 'filtergrad' || kernel === 'filtergrad-mnv2') {
    // fashion-cnn's and tiny-resnet's convs (batch 64), or MobileNetV2's 1x1 and first convs (batch 16).
    const shapes =
      kernel === 'filtergrad'
        ? [
            [[64, 28, 28, 1], [3, 3, 1, 16], 1],
            [[64, 14, 14, 16], [3, 3, 16, 32], 1],
            [[64, 28, 28, 16], [3, 3, 16, 16], 1],
            [[64, 14, 14, 32], [3, 3, 32, 32], 1],
            [[64, 28, 28, 16], [3, 3, 16, 32], 2],
            [[64, 28, 28, 16], [1, 1, 16, 32], 2],
          ]
        : [
            [[16, 224, 224, 3], [3, 3, 3, 32], 2],
            [[16, 112, 112, 16], [1, 1, 16, 96], 1],
            [[16, 56, 56, 144], [1, 1, 144, 24], 1],
            [[16, 28, 28, 32], [1, 1, 32, 192], 1],
            [[16, 7, 7, 160], [1, 1, 160, 960], 1],
            [[16, 7, 7, 320], [1, 1, 320, 1280], 1],
          ];
    return (shapes as Array<[number[], [number, number, number, number], number]>).map(([xs, fs, s]) => {
      const x = rand(xs);
      const out = Math.ceil(xs[1]! / s);
      const dy = rand([xs[0]!, out, out, fs[3]]);
      return {
        label: `Conv2DBackpropFilter x ${xs.join('x')} f ${fs.join('x')} s${s}`,
        run: () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x, dy },
              { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: fs },
            ) as tf.Tensor,
      };
    });
  }
  if (kernel === 'conv' || kernel === 'conv-mnv2') {
    // Forward convs (FusedConv2D, as tfjs-layers calls them): fashion-cnn's and tiny-resnet's at batch 64, or
    // MobileNetV2's (alpha 0.35) first, 1x1 and last convs at batch 16. [x, filter, stride, bias and relu]
    const shapes =
      kernel === 'conv'
        ? [
            [[64, 28, 28, 1], [3, 3, 1, 16], 1, true],
            [[64, 14, 14, 16], [3, 3, 16, 32], 1, true],
            [[64, 28, 28, 16], [3, 3, 16, 16], 1, false],
            [[64, 28, 28, 16], [3, 3, 16, 32], 2, false],
            [[64, 14, 14, 32], [3, 3, 32, 32], 1, false],
            [[64, 28, 28, 16], [1, 1, 16, 32], 2, false],
          ]
        : [
            [[16, 224, 224, 3], [3, 3, 3, 16], 2, true],
            [[16, 112, 112, 16], [1, 1, 16, 48], 1, true],
            [[16, 56, 56, 48], [1, 1, 48, 8], 1, false],
            [[16, 28, 28, 16], [1, 1, 16, 96], 1, true],
            [[16, 7, 7, 112], [1, 1, 112, 336], 1, true],
            [[16, 7, 7, 112], [1, 1, 112, 1280], 1, true],
          ];
    return (shapes as Array<[[number, number, number, number], [number, number, number, number], number, boolean]>).map(
      ([xs, fs, s, fused]) => {
        const [x, filter, bias] = [rand(xs), rand(fs), rand([fs[3]])];
        const inputs: tf.NamedTensorMap = fused ? { x, filter, bias } : { x, filter };
        const attrs = {
          strides: s,
          pad: 'same',
          dataFormat: 'NHWC',
          dilations: 1,
          activation: fused ? 'relu' : 'linear',
        };
        return {
          label: `FusedConv2D x ${xs.join('x')} f ${fs.join('x')} s${s}${fused ? ' bias relu' : ''}`,
          run: () => tf.engine().runKernel('FusedConv2D', inputs, attrs) as tf.Tensor,
        };
      },
    );
  }
  if (kernel === 'batchnorm') return batchNormCases();
  if (kernel === 'depthwise') {
    // MobileNetV2 (alpha 0.35, Teachable Machine) depthwise layers at batch 16: both gradients of each.
    return (
      [
        [[16, 112, 112, 16], 1, 'same'],
        [[16, 113, 113, 48], 2, 'valid'],
        [[16, 56, 56, 48], 1, 'same'],
        [[16, 28, 28, 96], 1, 'same'],
        [[16, 7, 7, 336], 1, 'same'],
      ] as Array<[[number, number, number, number], number, 'same' | 'valid']>
    ).flatMap(([xs, s, pad]) => {
      const x = rand(xs);
      const filter = rand([3, 3, xs[3], 1]);
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s, pad);
      const dy = rand(y.shape);
      const attrs = { strides: s, pad, dilations: 1 };
      const run = (name: string, inputs: tf.NamedTensorMap, extra: object) => () =>
        tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const at = `${xs.join('x')} s${s}`;
      return [
        {
          label: `DepthwiseBackpropFilter ${at}`,
          run: run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { filterShape: filter.shape }),
        },
        {
          label: `DepthwiseBackpropInput ${at}`,
          run: run('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { inputShape: xs }),
        },
        {
          label: `DepthwiseConv2dNative (forward) ${at}`,
          run: () => tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s, pad),
        },
      ];
    });
  }
  throw new Error(`unknown kernel ${kernel}`);
}

/**
 * A BatchNormalization layer's training-mode forward and backward pass (tfjs-layers' ops and their gradients with
 * the overrides off, nnaudit's two fused kernels with them on), then each fused kernel alone.
 */
function batchNormCases(): Case[] {
  return [
    [64, 28, 28, 16],
    [64, 14, 14, 32],
  ].flatMap((shape) => {
    const C = shape[3]!;
    const layer = tf.layers.batchNormalization();
    layer.build(shape);
    const x = rand(shape);
    const w = rand(shape);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const stats = [tf.zeros([C]), tf.ones([C])];
    const attrs = { epsilon: 1e-3, momentum: 0.99 };
    const fwdInputs = { x, gamma: vars[0]!, beta: vars[1]!, movingMean: stats[0]!, movingVariance: stats[1]! };
    const zeros = tf.zeros([C]);
    const gradInputs = { dy: w, x, gamma: vars[0]!, mean: stats[0]!, variance: stats[1]! };
    const dStats = { dmean: zeros, dvariance: zeros, dmovingMean: zeros, dmovingVariance: zeros };
    return [
      {
        label: `BatchNormalization training fwd+bwd ${shape.join('x')}`,
        run: () => {
          const { value, grads } = tf.variableGrads(() => {
            const y = layer.apply(x, { training: true }) as tf.Tensor;
            return y.mul(w).sum() as tf.Scalar;
          }, vars);
          return [value, ...Object.values(grads)];
        },
      },
      {
        label: `${BN_TRAIN} ${shape.join('x')}`,
        run: () => tf.engine().runKernel(BN_TRAIN, fwdInputs, attrs) as tf.Tensor[],
      },
      {
        label: `${BN_TRAIN_GRAD} ${shape.join('x')}`,
        run: () => tf.engine().runKernel(BN_TRAIN_GRAD, { ...gradInputs, ...dStats }, attrs) as tf.Tensor[],
      },
    ];
  });
}

function cpuMs(fn: () => void, n: number): number {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  return cpuMsSince(t) / n;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function main(): Promise<void> {
  await selectBackend('wasm');
  // --path im2col|composed: nnaudit's side runs that older Conv2DBackpropFilter path (overrides off: the composition);
  // composed also sends the depthwise gradients back to their composition.
  const path = process.argv[process.argv.indexOf('--path') + 1];
  if (process.argv.includes('--path')) setFilterGradPath(path === 'im2col' ? 'im2col' : 'composed');
  if (path === 'composed') setDepthwiseDirect(false);
  const [kernel = 'maxpoolgrad', repsText = '7'] = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--path');
  // --simd: the two sides are nnaudit's JavaScript loops ('tfjs' below) and its SIMD loops ('nnaudit').
  const simdSide = process.argv.includes('--simd');
  const setSimd = kernel === 'leadingsum' ? setLeadingSumSimd : setPoolGradSimd;
  const choose = (on: boolean) => (simdSide ? setSimd(on) : setWasmKernelOverrides(on));
  const [theirName, ourName] = simdSide ? ['js', 'simd'] : ['tfjs', 'nnaudit'];
  // --ours: only nnaudit's version (tfjs' own can be a naive loop that takes a second a call, e.g. the cpu bridge)
  const sides = process.argv.includes('--ours')
    ? [[true], [true]]
    : [
        [false, true],
        [true, false],
      ];
  for (const c of cases(kernel)) {
    const once = () => tf.dispose(c.run());
    const times: Record<'ours' | 'tfjs', number[]> = { ours: [], tfjs: [] };
    for (let r = 0; r < Number(repsText); r++) {
      for (const on of sides[r % 2]!) {
        choose(on);
        once();
        times[on ? 'ours' : 'tfjs'].push(cpuMs(once, 10));
      }
    }
    choose(true);
    const [ours, theirs] = [median(times.ours), times.tfjs.length ? median(times.tfjs) : NaN];
    process.stdout.write(
      `${c.label.padEnd(60)} ${theirName} ${theirs.toFixed(3)} ms  ${ourName} ${ours.toFixed(3)} ms  ${(theirs / ours).toFixed(2)}x\n`,
    );
  }
}

await main();
