import { tf } from '../tf.js';
import { fusedAdam } from '../backend/wasm/adam.js';
import type { InitializerSpec, LayerSpec, OptimizerSpec, TrainModelSpec } from '../../config/spec-schema.js';
import { SpecError } from '../../errors.js';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Builds the Sequential model a spec describes. Initializer seeds derive from `seed` so builds repeat. */
export function buildModel(spec: TrainModelSpec, inputShape: number[], seed: number, name?: string): tf.Sequential {
  const model = tf.sequential(name ? { name } : {});
  spec.layers.forEach((layer, i) => {
    const first = i === 0 ? { inputShape } : {};
    // Stable Keras-style names (dense_1, dense_2...): tfjs' defaults count up across every model in the process.
    const named = { ...layer, name: layer.name ?? `${layer.type}_${i + 1}` };
    try {
      model.add(makeLayer(named, first, seed + 1000 * (i + 1)));
    } catch (e) {
      throw new SpecError(`model.train.layers.${i} (${layer.type}): ${(e as Error).message}`);
    }
  });
  return model;
}

function makeLayer(l: LayerSpec, first: { inputShape?: number[] }, seed: number): tf.layers.Layer {
  const name = l.name !== undefined ? { name: l.name } : {};
  switch (l.type) {
    case 'dense':
      return tf.layers.dense({
        ...first,
        ...name,
        units: l.units,
        activation: l.activation,
        useBias: l.useBias,
        trainable: l.trainable,
        kernelInitializer: initializer(l.kernelInitializer ?? 'glorotUniform', seed),
        biasInitializer: initializer(l.biasInitializer ?? 'zeros', seed + 1),
      });
    case 'conv2d':
      return tf.layers.conv2d({
        ...first,
        ...name,
        filters: l.filters,
        kernelSize: l.kernelSize,
        strides: l.strides,
        padding: l.padding,
        activation: l.activation,
        useBias: l.useBias,
        trainable: l.trainable,
        kernelInitializer: initializer(l.kernelInitializer ?? 'glorotUniform', seed),
        biasInitializer: initializer(l.biasInitializer ?? 'zeros', seed + 1),
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({
        ...first,
        ...name,
        poolSize: l.poolSize,
        ...(l.strides !== undefined ? { strides: l.strides } : {}),
      });
    case 'flatten':
      return tf.layers.flatten({ ...first, ...name });
    case 'dropout':
      return tf.layers.dropout({ ...first, ...name, rate: l.rate });
    case 'batchNormalization':
      return tf.layers.batchNormalization({ ...first, ...name, trainable: l.trainable });
    case 'activation':
      return tf.layers.activation({ ...first, ...name, activation: l.activation });
    case 'leakyRelu':
      return tf.layers.leakyReLU({ ...first, ...name, alpha: l.alpha });
  }
}

function initializer(spec: InitializerSpec, seed: number): Initializer {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  const p = s as Exclude<InitializerSpec, string>;
  switch (s.name) {
    case 'glorotUniform':
      return tf.initializers.glorotUniform({ seed });
    case 'glorotNormal':
      return tf.initializers.glorotNormal({ seed });
    case 'heNormal':
      return tf.initializers.heNormal({ seed });
    case 'heUniform':
      return tf.initializers.heUniform({ seed });
    case 'leCunNormal':
      return tf.initializers.leCunNormal({ seed });
    case 'leCunUniform':
      return tf.initializers.leCunUniform({ seed });
    case 'zeros':
      return tf.initializers.zeros();
    case 'ones':
      return tf.initializers.ones();
    case 'constant':
      return tf.initializers.constant({ value: p.value ?? 0 });
    case 'randomNormal':
      return tf.initializers.randomNormal({ mean: p.mean ?? 0, stddev: p.stddev ?? 0.05, seed });
    case 'randomUniform':
      return tf.initializers.randomUniform({ minval: p.minval ?? -0.05, maxval: p.maxval ?? 0.05, seed });
    case 'truncatedNormal':
      return tf.initializers.truncatedNormal({ mean: p.mean ?? 0, stddev: p.stddev ?? 0.05, seed });
    case 'orthogonal':
      return tf.initializers.orthogonal({ gain: p.gain ?? 1, seed });
  }
}

/** A tfjs optimizer from the spec's name and learning rate (and clipnorm, which tfjs optimizers lack). */
export function makeOptimizer(o: OptimizerSpec): tf.Optimizer {
  const optimizer = plainOptimizer(o);
  return o.clipnorm === undefined ? optimizer : withClipNorm(optimizer, o.clipnorm);
}

/**
 * Keras' clipnorm: each gradient tensor is scaled down to at most `clipnorm` L2 norm before the step. tfjs has no
 * such option, so the optimizer's applyGradients (which minimize(), and so fit(), calls) is wrapped.
 */
function withClipNorm(optimizer: tf.Optimizer, clipnorm: number): tf.Optimizer {
  const apply = optimizer.applyGradients.bind(optimizer);
  const clip = (g: tf.Tensor) => tf.tidy(() => g.mul(tf.minimum(1, tf.div(clipnorm, tf.norm(g).add(1e-12)))));
  optimizer.applyGradients = (grads: Parameters<tf.Optimizer['applyGradients']>[0]) => {
    const clipped = Array.isArray(grads)
      ? grads.map((g) => ({ name: g.name, tensor: clip(g.tensor) }))
      : Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, clip(g)]));
    try {
      apply(clipped);
    } finally {
      tf.dispose(Array.isArray(clipped) ? clipped.map((g) => g.tensor) : Object.values(clipped));
    }
  };
  return optimizer;
}

function plainOptimizer(o: OptimizerSpec): tf.Optimizer {
  switch (o.name) {
    case 'sgd':
      return tf.train.sgd(o.learningRate);
    case 'momentum':
      return tf.train.momentum(o.learningRate, o.momentum ?? 0.9);
    // On wasm its steps run as one fused kernel per variable (src/gather/backend/wasm/adam.ts); elsewhere tfjs' Adam.
    case 'adam':
      return fusedAdam(o.learningRate);
    case 'adamax':
      return tf.train.adamax(o.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, 0.9, o.momentum ?? 0);
    case 'adagrad':
      return tf.train.adagrad(o.learningRate);
    case 'adadelta':
      return tf.train.adadelta(o.learningRate);
  }
}
