import { z } from 'zod';

/** The layers a spec's model.train may list, with their activations and initializers (part of the spec schema). */

export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'gelu',
] as const;
export const activationSchema = z.enum(ACTIVATIONS);

const INITIALIZER_NAMES = [
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'leCunNormal',
  'leCunUniform',
  'zeros',
  'ones',
  'constant',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'orthogonal',
] as const;

/** An initializer: a name, or an object with the name and its parameters. */
export const initializerSchema = z.union([
  z.enum(INITIALIZER_NAMES),
  z.strictObject({
    name: z.enum(INITIALIZER_NAMES),
    value: z.number().optional(),
    mean: z.number().optional(),
    stddev: z.number().positive().optional(),
    minval: z.number().optional(),
    maxval: z.number().optional(),
    gain: z.number().positive().optional(),
  }),
]);
export type InitializerSpec = z.infer<typeof initializerSchema>;

export const positiveInt = z.number().int().positive();
const pair = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]);
const layerName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_.\-/]+$/, 'letters, digits, _ . - / only')
  .optional();
/** false: the layer's weights keep their initial values (Keras' layer.trainable). Only layers with weights take it. */
const trainable = z.boolean().default(true);

const denseLayer = z.strictObject({
  type: z.literal('dense'),
  name: layerName,
  units: positiveInt,
  activation: activationSchema.default('linear'),
  kernelInitializer: initializerSchema.optional(),
  biasInitializer: initializerSchema.optional(),
  useBias: z.boolean().default(true),
  trainable,
});
const conv2dLayer = z.strictObject({
  type: z.literal('conv2d'),
  name: layerName,
  filters: positiveInt,
  kernelSize: pair,
  strides: pair.default(1),
  padding: z.enum(['valid', 'same']).default('valid'),
  activation: activationSchema.default('linear'),
  kernelInitializer: initializerSchema.optional(),
  biasInitializer: initializerSchema.optional(),
  useBias: z.boolean().default(true),
  trainable,
});
const maxPoolingLayer = z.strictObject({
  type: z.literal('maxPooling2d'),
  name: layerName,
  poolSize: pair.default(2),
  strides: pair.optional(),
});
const flattenLayer = z.strictObject({ type: z.literal('flatten'), name: layerName });
const dropoutLayer = z.strictObject({ type: z.literal('dropout'), name: layerName, rate: z.number().min(0).lt(1) });
const batchNormLayer = z.strictObject({ type: z.literal('batchNormalization'), name: layerName, trainable });
const activationLayer = z.strictObject({
  type: z.literal('activation'),
  name: layerName,
  activation: activationSchema,
});
const leakyReluLayer = z.strictObject({
  type: z.literal('leakyRelu'),
  name: layerName,
  alpha: z.number().min(0).default(0.3),
});

export const layerSchema = z.discriminatedUnion('type', [
  denseLayer,
  conv2dLayer,
  maxPoolingLayer,
  flattenLayer,
  dropoutLayer,
  batchNormLayer,
  activationLayer,
  leakyReluLayer,
]);
export type LayerSpec = z.infer<typeof layerSchema>;
