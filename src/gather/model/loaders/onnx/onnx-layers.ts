import { tf } from '../../../tf.js';

/**
 * The few ONNX operators tfjs-layers has no layer for, as small serializable layers (registered, so a model that
 * holds them can be cloned and saved). Each works on the layout the importer keeps: 4-D maps channels-last.
 */
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

export type UnaryFn =
  | 'elu'
  | 'erf'
  | 'hardSigmoid'
  | 'hardSwish'
  | 'clip'
  | 'logSoftmax'
  | 'softmax'
  | 'neg'
  | 'sqrt'
  | 'exp'
  | 'abs';

export interface UnaryConfig {
  fn: UnaryFn;
  alpha?: number;
  beta?: number;
  min?: number;
  max?: number;
  axis?: number;
  name?: string;
}

/** An elementwise function, or a softmax/log-softmax along any axis. */
export class OnnxUnary extends tf.layers.Layer {
  static className = 'OnnxUnary';
  private readonly cfg: UnaryConfig;
  constructor(config: UnaryConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.cfg = config;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const c = this.cfg;
    return tf.tidy(() => {
      switch (c.fn) {
        case 'elu':
          return tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), c.alpha ?? 1));
        case 'erf':
          return tf.erf(x);
        case 'hardSigmoid':
          return tf.clipByValue(tf.add(tf.mul(x, c.alpha ?? 0.2), c.beta ?? 0.5), 0, 1);
        case 'hardSwish':
          return tf.mul(x, tf.clipByValue(tf.add(tf.mul(x, 1 / 6), 0.5), 0, 1));
        case 'clip':
          return tf.clipByValue(x, c.min ?? -3.4e38, c.max ?? 3.4e38);
        case 'neg':
          return tf.neg(x);
        case 'sqrt':
          return tf.sqrt(x);
        case 'exp':
          return tf.exp(x);
        case 'abs':
          return tf.abs(x);
        case 'softmax':
        case 'logSoftmax':
          return alongAxis(x, c.axis ?? -1, c.fn === 'softmax' ? (t) => tf.softmax(t) : (t) => tf.logSoftmax(t));
      }
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg } as tf.serialization.ConfigDict;
  }
}

/** tfjs' softmax works on the last axis only: move the axis there and back. */
function alongAxis(x: tf.Tensor, axis: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const a = axis < 0 ? x.rank + axis : axis;
  if (a === x.rank - 1) return f(x);
  const perm = [...Array(x.rank).keys()];
  perm[a] = x.rank - 1;
  perm[x.rank - 1] = a;
  return tf.transpose(f(tf.transpose(x, perm)), perm);
}

export type AffineOp = 'add' | 'mul' | 'sub' | 'div' | 'rsub' | 'rdiv';

export interface AffineConfig {
  op: AffineOp;
  shape: number[];
  values: number[];
  name?: string;
}

/** x (op) c for a constant c broadcast numpy-style (torch's `x * 2.0 + 1.0`, `x / sqrt(2)`, a bias added after MatMul). */
export class OnnxConstOp extends tf.layers.Layer {
  static className = 'OnnxConstOp';
  private readonly cfg: AffineConfig;
  constructor(config: AffineConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.cfg = config;
  }
  override computeOutputShape(inputShape: Shape): Shape {
    const s = [...inputShape];
    const c = this.cfg.shape;
    for (let k = 1; k <= c.length && k <= s.length; k++) {
      const i = s.length - k;
      if (s[i] === 1 && c[c.length - k]! > 1) s[i] = c[c.length - k]!;
    }
    return s;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const c = tf.tensor(this.cfg.values, this.cfg.shape);
      switch (this.cfg.op) {
        case 'add':
          return tf.add(x, c);
        case 'mul':
          return tf.mul(x, c);
        case 'sub':
          return tf.sub(x, c);
        case 'div':
          return tf.div(x, c);
        case 'rsub':
          return tf.sub(c, x);
        case 'rdiv':
          return tf.div(c, x);
      }
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg } as tf.serialization.ConfigDict;
  }
}

export interface PoolConfig {
  mode: 'max' | 'avg';
  kernel: [number, number];
  strides: [number, number];
  /** [top, bottom, left, right] explicit padding, then `overhang` more rows/columns at the end for ceil_mode. */
  pads: [number, number, number, number];
  overhang: [number, number];
  countIncludePad: boolean;
  name?: string;
}

/**
 * Max or average pooling with PyTorch's padding rules, channels-last: explicit (and asymmetric) pads, ceil_mode,
 * and count_include_pad. Max pads with -inf (a pad never wins); average divides each window by the count its
 * padding rule says: the in-image cells, plus the explicit pad cells when count_include_pad, never the overhang.
 */
export class OnnxPool extends tf.layers.Layer {
  static className = 'OnnxPool';
  private readonly cfg: PoolConfig;
  constructor(config: PoolConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.cfg = config;
  }
  private padded(h: number, w: number): [number, number] {
    const [t, b, l, r] = this.cfg.pads;
    return [h + t + b + this.cfg.overhang[0], w + l + r + this.cfg.overhang[1]];
  }
  override computeOutputShape(inputShape: Shape): Shape {
    const [n, h, w, c] = inputShape;
    const [ph, pw] = this.padded(h ?? 1, w ?? 1);
    const [kh, kw] = this.cfg.kernel;
    const [sh, sw] = this.cfg.strides;
    return [n ?? null, Math.floor((ph - kh) / sh) + 1, Math.floor((pw - kw) / sw) + 1, c ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const {
      mode,
      kernel,
      strides,
      pads: [t, b, l, r],
      overhang: [oh, ow],
      countIncludePad,
    } = this.cfg;
    const paddings: Array<[number, number]> = [
      [0, 0],
      [t, b + oh],
      [l, r + ow],
      [0, 0],
    ];
    return tf.tidy(() => {
      if (mode === 'max') return tf.maxPool(tf.pad(x, paddings, -3.4e38), kernel, strides, 'valid');
      const sums = tf.mul(tf.avgPool(tf.pad(x, paddings), kernel, strides, 'valid'), kernel[0] * kernel[1]);
      const [, h, w] = x.shape;
      // The divisor: a pooled mask of the cells that count, computed once per shape (no gradient flows into it).
      const inner = countIncludePad
        ? tf.ones([1, h + t + b, w + l + r, 1])
        : tf.pad(tf.ones([1, h, w, 1]), [
            [0, 0],
            [t, b],
            [l, r],
            [0, 0],
          ]);
      const mask = tf.pad(inner, [
        [0, 0],
        [0, oh],
        [0, ow],
        [0, 0],
      ]) as tf.Tensor4D;
      const counts = tf.mul(tf.avgPool(mask, kernel, strides, 'valid'), kernel[0] * kernel[1]);
      return tf.div(sums, counts);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg } as unknown as tf.serialization.ConfigDict;
  }
}

export interface GroupConvConfig {
  filters: number;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  groups: number;
  useBias: boolean;
  name?: string;
}

/**
 * A grouped convolution (groups between 1 and the channel count), which tfjs has no layer for: the channels split
 * into `groups` slices, each convolved with its own filters, concatenated back. Also any dilated one (groups 1),
 * whose gradient tfjs lacks. Padding is done before it.
 */
/** [kh, kw, ci, co] -> [(kh-1)*dh+1, (kw-1)*dw+1, ci, co] with zeros between the taps, built from differentiable ops. */
export function dilateKernel(k: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const spread = (t: tf.Tensor4D, axis: 0 | 1, d: number): tf.Tensor4D => {
    if (d === 1) return t;
    const moved = axis === 0 ? t : tf.transpose(t, [1, 0, 2, 3]);
    const [n, m, ci, co] = moved.shape;
    const padded = tf.pad(tf.expandDims(moved, 1), [
      [0, 0],
      [0, d - 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const flat = tf.slice(
      tf.reshape(padded, [n * d, m, ci, co]),
      [0, 0, 0, 0],
      [(n - 1) * d + 1, m, ci, co],
    ) as tf.Tensor4D;
    return axis === 0 ? flat : tf.transpose(flat, [1, 0, 2, 3]);
  };
  return spread(spread(k, 0, dh), 1, dw);
}

export class OnnxGroupConv extends tf.layers.Layer {
  static className = 'OnnxGroupConv';
  private readonly cfg: GroupConvConfig;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;
  constructor(config: GroupConvConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.cfg = config;
  }
  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = shape[3] ?? 1;
    const [kh, kw] = this.cfg.kernel;
    this.kernel = this.addWeight(
      'kernel',
      [kh, kw, channels / this.cfg.groups, this.cfg.filters],
      'float32',
      tf.initializers.glorotUniform({}),
    );
    if (this.cfg.useBias) this.bias = this.addWeight('bias', [this.cfg.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape): Shape {
    const [n, h, w] = inputShape;
    const [kh, kw] = this.cfg.kernel;
    const [sh, sw] = this.cfg.strides;
    const [dh, dw] = this.cfg.dilations;
    const out = (size: number | null, k: number, s: number, d: number) =>
      size === null ? null : Math.floor((size - (k - 1) * d - 1) / s) + 1;
    return [n ?? null, out(h ?? null, kh, sh, dh), out(w ?? null, kw, sw, dw), this.cfg.filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const g = this.cfg.groups;
    return tf.tidy(() => {
      // tfjs has no gradient for a dilated convolution (nor a conv with both strides and dilations): the kernel is
      // spread with zeros instead, a plain convolution with the same output, trainable.
      const kernel = dilateKernel(this.kernel!.read() as tf.Tensor4D, this.cfg.dilations);
      const xs = g === 1 ? [x] : tf.split(x, g, 3);
      const ks = g === 1 ? [kernel] : tf.split(kernel, g, 3);
      const ys = xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ks[i] as tf.Tensor4D, this.cfg.strides, 'valid'));
      const y = ys.length === 1 ? ys[0]! : tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg } as unknown as tf.serialization.ConfigDict;
  }
}

for (const cls of [OnnxUnary, OnnxConstOp, OnnxPool, OnnxGroupConv])
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
