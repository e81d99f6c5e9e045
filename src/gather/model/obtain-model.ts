import path from 'node:path';
import { quoteInput } from '../../policy/redact.js';
import type { tf } from '../tf.js';
import type { Spec, LossName, OptimizerSpec, MetricName, LayerSpec } from '../../config/spec-schema.js';
import type { History, ModelInfo } from '../../artifacts/schema.js';
import { readHistoryFile } from '../../artifacts/read-history.js';
import { buildModel } from './build-model.js';
import { detectFormat, formatByExtension, loadLayersModel } from './load-model.js';
import { SpecError } from '../../errors.js';
import { checkParamCount, effectiveCaps } from '../../policy/limits.js';
import { checkModelCaps } from './model-caps.js';
import { decideFromLogits, graphOutputActivation, type FromLogitsSource } from './logits.js';

/** The model a spec names, with the training settings that apply to it (from the spec or the saved file). */
export interface ModelUnderAudit {
  model: tf.LayersModel;
  source: ModelInfo['source'];
  location: string | null;
  loss: LossName;
  optimizer: OptimizerSpec;
  epochs: number;
  batchSize: number;
  metrics: MetricName[] | undefined;
  history: History | null;
  /** The loss is computed from the model's raw outputs (logits), and who said so. */
  fromLogits: boolean;
  fromLogitsSource: FromLogitsSource;
  /** 'channelsFirst': an NCHW model (a PyTorch export); image data is laid out for it. */
  inputLayout: 'channelsFirst' | 'channelsLast';
}

/**
 * Builds (spec.model.train) or loads (spec.model.load) the model. `featureShape` is the data's per-sample shape,
 * used as the input shape of a built model when the spec gives none. The caller owns and disposes the model.
 */
export async function obtainModel(spec: Spec, featureShape: number[], baseDir: string): Promise<ModelUnderAudit> {
  if ('train' in spec.model) {
    const t = spec.model.train;
    const inputShape = t.inputShape ?? withChannelAxis(featureShape, t.layers);
    checkModelCaps(t.layers, inputShape, effectiveCaps(spec.limits)); // before any weight is allocated
    const logits = decideFromLogits({ stated: t.fromLogits, loss: t.loss, outputActivation: null, built: true });
    return {
      model: buildModel(t, inputShape, spec.seed, spec.name),
      source: 'trained',
      location: null,
      loss: t.loss,
      optimizer: t.optimizer,
      epochs: t.epochs,
      batchSize: t.batchSize,
      metrics: t.metrics,
      history: null,
      fromLogits: logits.fromLogits,
      fromLogitsSource: logits.source,
      inputLayout: 'channelsLast',
    };
  }
  const l = spec.model.load;
  const location = /^https?:\/\//i.test(l.path) ? l.path : path.resolve(baseDir, l.path);
  const caps = effectiveCaps(spec.limits);
  const loaded = await loadLayersModel(
    location,
    l.architecture ? path.resolve(baseDir, l.architecture) : undefined,
    caps,
  );
  try {
    checkParamCount(loaded.model.countParams(), caps, location);
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
  const loss = l.loss ?? loaded.training.loss;
  if (loss === undefined) {
    loaded.model.dispose();
    // Name what is missing in the file's own terms: a Keras file saved without compile() has no training_config.
    const format = /^https?:\/\//i.test(location) ? formatByExtension(location) : await detectFormat(location);
    const missing =
      format === 'tfjs-layers'
        ? 'model.json has no training config'
        : format === 'onnx'
          ? 'an ONNX file records no loss (PyTorch keeps it in the training script)'
          : `the Keras file has no ${format === 'keras3' ? 'compile_config' : 'training_config'} (saved without compile())`;
    // The loss name is the file's text: quoted on the CLI, only its length under a worker (see redact.ts).
    const why = loaded.training.rawLoss
      ? `its loss ${quoteInput(loaded.training.rawLoss)} is not one nnaudit knows`
      : missing;
    throw new SpecError(
      `${location}: ${why}; say which loss it was trained with: --loss (or model.load.loss) ` +
        'binaryCrossentropy | categoricalCrossentropy | sparseCategoricalCrossentropy | meanSquaredError | meanAbsoluteError',
    );
  }
  let logits;
  try {
    // The saved loss's from_logits speaks only for the loss it belongs to: a --loss that replaces it says nothing.
    const saved = l.loss === undefined || l.loss === loaded.training.loss ? loaded.training.fromLogits : undefined;
    logits = decideFromLogits({
      stated: l.fromLogits,
      saved,
      loss,
      outputActivation: graphOutputActivation(loaded.model),
      built: false,
    });
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
  const history = l.history ? readHistoryFile(path.resolve(baseDir, l.history)) : null;
  return {
    model: loaded.model,
    source: 'loaded',
    location,
    loss,
    optimizer: loaded.training.optimizer ?? l.optimizer,
    epochs: l.epochs,
    batchSize: l.batchSize,
    metrics: l.metrics ?? loaded.training.metrics,
    history,
    fromLogits: logits.fromLogits,
    fromLogitsSource: logits.source,
    inputLayout: loaded.inputLayout ?? 'channelsLast',
  };
}

/**
 * A built conv net's input from the data's sample shape: a grey image without a channel axis (IDX, a [28, 28] .npy)
 * gets one ([28, 28, 1]), as Keras code does with x[..., None], since a 2-D convolution needs one.
 */
function withChannelAxis(featureShape: number[], layers: readonly LayerSpec[]): number[] {
  const spatial = layers.some((l) => l.type === 'conv2d' || l.type === 'maxPooling2d');
  return spatial && featureShape.length === 2 ? [...featureShape, 1] : featureShape;
}
