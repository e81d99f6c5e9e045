import type { Spec } from '../config/spec-schema.js';
import { openDataset, prepareData, type PreparedData } from './data/prepare.js';
import { type Dataset, rowCount } from './data/dataset.js';
import { obtainModel, type ModelUnderAudit } from './model/obtain-model.js';
import { checkTargetsFit, fitFeatureShape, inputMismatch, isFlattening } from './model/check-fit.js';
import { encodingHint, encodingNote, requireColumnOrder } from './model/categorical-fit.js';
import { activationName } from './model/model-graph.js';
import { checkRowCount, effectiveCaps } from '../policy/limits.js';
import { ModelLoadError } from '../errors.js';
import type { GatherProgress } from './gather.js';

/** The model under audit and its data, checked against each other before any tensor is made. */
export interface AuditInputs {
  mua: ModelUnderAudit;
  raw: Dataset;
  data: PreparedData;
  /** The per-sample shape the rows are fed in (the data's own, or the model's when they differ only by 1-axes or flattening). */
  featureShape: number[];
  outputUnits: number;
  warnings: string[];
}

/**
 * Opens the model and the data and checks that they fit: shapes, targets against the output and loss, row caps,
 * trainable weights when training is asked. A loaded model is opened first: its input shape sizes images and is
 * checked against a data file's header before the rows are read; a model built from layers takes its input shape
 * from the data unless the spec says. On error nothing stays allocated.
 */
export async function openInputs(
  spec: Spec,
  baseDir: string,
  progress: (p: GatherProgress) => void,
): Promise<AuditInputs> {
  let mua: ModelUnderAudit | null = 'load' in spec.model ? await obtainModel(spec, [], baseDir) : null;
  try {
    const knownInput = mua
      ? mua.model.inputs[0]!.shape.slice(1)
      : 'train' in spec.model
        ? (spec.model.train.inputShape ?? null)
        : null;
    const raw = await openDataset(spec.data, {
      baseDir,
      seed: spec.seed,
      inputShape: knownInput,
      inputLayout: mua?.inputLayout ?? 'channelsLast',
      checkShape: (shape, where, note) => {
        if (knownInput && !fitFeatureShape(shape, knownInput)) throw inputMismatch(shape, knownInput, where, note);
      },
    });
    checkRowCount(rowCount(raw), effectiveCaps(spec.limits), raw.source);
    progress({ phase: 'load', epoch: 0, epochs: 0, message: `data: ${rowCount(raw)} rows from ${raw.source}` });
    const validationSplit = 'train' in spec.model ? spec.model.train.validationSplit : spec.model.load.validationSplit;
    const data = prepareData(raw, spec.data, validationSplit, spec.seed);
    // After prepareData: one-hot categorical columns widen the rows a built model takes.
    mua ??= await obtainModel(spec, data.train.featureShape, baseDir);
    return { mua, raw, data, ...checkFit(mua, raw, data, 'features' in spec.data && spec.data.features !== undefined) };
  } catch (e) {
    mua?.model.dispose();
    throw e;
  }
}

function checkFit(
  mua: ModelUnderAudit,
  raw: Dataset,
  data: PreparedData,
  featuresGiven: boolean,
): Pick<AuditInputs, 'featureShape' | 'outputUnits' | 'warnings'> {
  const { model } = mua;
  const warnings: string[] = [];
  // tfjs refuses to fit a model with no trainable weight, with a bare "variableGrads()" error: say it by field.
  // (A spec that freezes every layer is refused by the schema; this is a loaded model's case.)
  if (mua.epochs > 0 && model.trainableWeights.length === 0) {
    if (mua.source !== 'loaded') {
      throw new ModelLoadError(
        `model.train.layers: no layer has weights to train (model.train.epochs is ${mua.epochs}): add a dense or conv2d layer`,
      );
    }
    throw new ModelLoadError(
      `${mua.location ?? 'model'}: model.load.epochs is ${mua.epochs}, but every layer of the model has trainable: false, ` +
        'so training would change nothing: audit it as saved with epochs: 0, or save it with the layers to train trainable',
    );
  }
  const modelInput = model.inputs[0]!.shape.slice(1);
  const featureShape = fitFeatureShape(data.train.featureShape, modelInput);
  const pending = raw.categorical ?? [];
  if (!featureShape) {
    const width = data.train.featureShape.length === 1 ? data.train.featureShape[0]! : null;
    const modelWidth = modelInput.length === 1 ? modelInput[0] : null;
    const hint = width !== null && typeof modelWidth === 'number' ? encodingHint(pending, width, modelWidth) : null;
    throw inputMismatch(
      data.train.featureShape,
      modelInput,
      raw.source,
      width !== null ? `${width} feature columns${hint ? `: ${hint}` : ''}` : undefined,
    );
  }
  if (mua.source === 'loaded') {
    if (!featuresGiven) requireColumnOrder(pending, raw.featureNames, raw.source);
    const note = encodingNote(pending);
    if (note) warnings.push(note);
  }
  if (mua.source === 'loaded' && raw.classes && raw.classes.order !== 'data.classes') {
    // A saved model already maps output units to classes; folder order is only a guess at that mapping.
    const shown = raw.classes.names
      .slice(0, 4)
      .map((n, i) => `${n}=${i}`)
      .join(', ');
    warnings.push(
      `class ids follow sorted folder names (${shown}${raw.classes.names.length > 4 ? ', ...' : ''}); if the model was trained ` +
        'with another order, its accuracy here is wrong: give the order with --classes (data.classes)',
    );
  }
  if (isFlattening(data.train.featureShape, modelInput)) {
    warnings.push(
      `each sample of shape [${data.train.featureShape.join(', ')}] was flattened (C order) to the model's input [${featureShape[0]}]`,
    );
  }
  const outputUnits = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
  const lastLayer = model.layers[model.layers.length - 1];
  checkTargetsFit(data.train, {
    inputShape: modelInput,
    outputUnits,
    outputActivation: lastLayer ? activationName(lastLayer) : null,
    loss: mua.loss,
  });
  return { featureShape, outputUnits, warnings };
}
