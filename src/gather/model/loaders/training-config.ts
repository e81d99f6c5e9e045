import type { LossName, MetricName, OptimizerSpec } from '../../../config/spec-schema.js';
import type { LoadedModel } from './loaded-model.js';

const KERAS_LOSSES: Record<string, LossName> = {
  binary_crossentropy: 'binaryCrossentropy',
  binaryCrossentropy: 'binaryCrossentropy',
  BinaryCrossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  CategoricalCrossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  SparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  meanSquaredError: 'meanSquaredError',
  MeanSquaredError: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  meanAbsoluteError: 'meanAbsoluteError',
  MeanAbsoluteError: 'meanAbsoluteError',
};

const KERAS_OPTIMIZERS: Record<string, OptimizerSpec['name']> = {
  sgd: 'sgd',
  adam: 'adam',
  adamax: 'adamax',
  rmsprop: 'rmsprop',
  adagrad: 'adagrad',
  adadelta: 'adadelta',
};

/**
 * The compile settings a saved Keras model carries, in any of its spellings: Keras 2 `training_config`
 * (`loss` + `optimizer_config`), Keras 3 `compile_config` of a .keras archive (`loss` + `optimizer`, each a
 * string or a serialized object), or the Keras 3 training_config of an .h5.
 */
export interface KerasCompileConfig {
  loss?: unknown;
  metrics?: unknown;
  optimizer?: unknown;
  optimizer_config?: unknown;
}

/** A model.json as tfjs writes it; only the parts the training config is read from. */
export interface TrainingConfigSource {
  trainingConfig?: KerasCompileConfig;
  modelTopology?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readTrainingConfig(json: TrainingConfigSource): LoadedModel['training'] {
  // Converted Keras models may carry it inside modelTopology (tfjs cannot deserialize that one: we parse it ourselves).
  const inTopology = isRecord(json.modelTopology) ? json.modelTopology['training_config'] : undefined;
  const tc = json.trainingConfig ?? (isRecord(inTopology) ? inTopology : undefined);
  return tc === undefined ? {} : readCompileConfig(tc);
}

export function readCompileConfig(tc: KerasCompileConfig): LoadedModel['training'] {
  const out: LoadedModel['training'] = {};
  const loss = readLoss(tc.loss);
  if (loss.raw !== undefined) out.rawLoss = loss.raw;
  if (loss.name !== undefined) {
    out.loss = loss.name;
    out.fromLogits = loss.fromLogits;
  }
  const optimizer = readOptimizer(tc.optimizer_config ?? tc.optimizer);
  if (optimizer !== undefined) out.optimizer = optimizer;
  const metrics = readMetrics(tc.metrics);
  if (metrics.length > 0) out.metrics = metrics;
  return out;
}

const KERAS_METRICS: Record<string, MetricName> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  binary_accuracy: 'accuracy',
  categorical_accuracy: 'accuracy',
  sparse_categorical_accuracy: 'accuracy',
  mae: 'mae',
  mean_absolute_error: 'mae',
  mse: 'mse',
  mean_squared_error: 'mse',
};

/**
 * The metrics nnaudit can compute, from a list of names or serialized Metric objects (nested per output in
 * multi-output models). tfjs' "accuracy" picks the binary/categorical variant from the loss, as Keras does.
 */
function readMetrics(metrics: unknown): MetricName[] {
  const found = new Set<MetricName>();
  const visit = (m: unknown): void => {
    if (Array.isArray(m)) {
      m.forEach(visit);
      return;
    }
    if (isRecord(m) && !('class_name' in m)) {
      Object.values(m).forEach(visit);
      return;
    }
    const name =
      typeof m === 'string'
        ? m
        : isRecord(m) && isRecord(m['config']) && typeof m['config']['name'] === 'string'
          ? m['config']['name']
          : null;
    const mapped =
      name === null
        ? undefined
        : (KERAS_METRICS[name] ?? KERAS_METRICS[name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()]);
    if (mapped) found.add(mapped);
  };
  visit(metrics);
  return [...found];
}

/**
 * A loss is a name ("mse": Keras' string losses take probabilities) or a serialized Loss object
 * ({class_name: "BinaryCrossentropy", config: {from_logits}}), whose from_logits says whether it took the raw outputs.
 */
function readLoss(loss: unknown): { raw?: string; name?: LossName; fromLogits: boolean } {
  if (typeof loss === 'string')
    return { raw: loss, fromLogits: false, ...(KERAS_LOSSES[loss] ? { name: KERAS_LOSSES[loss] } : {}) };
  if (!isRecord(loss) || typeof loss['class_name'] !== 'string') return { fromLogits: false };
  const className = loss['class_name'];
  const config = isRecord(loss['config']) ? loss['config'] : {};
  const fromLogits = config['from_logits'] === true;
  const name =
    KERAS_LOSSES[className] ?? (typeof config['name'] === 'string' ? KERAS_LOSSES[config['name']] : undefined);
  return { raw: fromLogits ? `${className}(from_logits=True)` : className, fromLogits, ...(name ? { name } : {}) };
}

function readOptimizer(oc: unknown): OptimizerSpec | undefined {
  if (typeof oc === 'string') {
    const name = KERAS_OPTIMIZERS[oc.toLowerCase()];
    return name ? { name, learningRate: 0.001 } : undefined;
  }
  if (!isRecord(oc) || typeof oc['class_name'] !== 'string') return undefined;
  // Keras 2.11+ writes registered names such as "Custom>Adam".
  const name = KERAS_OPTIMIZERS[oc['class_name'].replace(/^.*>/, '').toLowerCase()];
  if (name === undefined) return undefined;
  const config = isRecord(oc['config']) ? oc['config'] : {};
  const lr = learningRate(config['learning_rate'] ?? config['lr']);
  const momentum = config['momentum'];
  return {
    name: name === 'sgd' && typeof momentum === 'number' && momentum > 0 ? 'momentum' : name,
    learningRate: lr !== undefined && lr > 0 ? lr : 0.001,
    ...(typeof momentum === 'number' && momentum > 0 && momentum < 1 ? { momentum } : {}),
  };
}

/** A number, or a schedule ({class_name: "ExponentialDecay", config: {initial_learning_rate}}): its starting rate. */
function learningRate(v: unknown): number | undefined {
  if (typeof v === 'number') return float32Shortest(v);
  if (isRecord(v) && isRecord(v['config']) && typeof v['config']['initial_learning_rate'] === 'number')
    return float32Shortest(v['config']['initial_learning_rate']);
  return undefined;
}

/**
 * Keras 3 saves a float32 hyperparameter widened to a double: 0.001 arrives as 0.0010000000474974513, and reports
 * and recommendations printed that. The shortest decimal with the same float32 value is what the user wrote, and
 * tfjs trains with the float32 anyway, so nothing changes but the text.
 */
export function float32Shortest(v: number): number {
  if (!Number.isFinite(v) || Math.fround(v) !== v) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const c = Number(v.toPrecision(digits));
    if (Math.fround(c) === v) return c;
  }
  return v;
}
