import { tf } from './tf.js';
import { selectBackend, type BackendName } from './backend/backend.js';
import { explainWasmError } from './backend/wasm/memory-guard.js';
import type { Spec } from '../config/spec-schema.js';
import type { Artifacts, StoppedEarly } from '../artifacts/schema.js';
import { openDataset, prepareData } from './data/prepare.js';
import { type Dataset, isSingleLabelClassification, rowCount } from './data/dataset.js';
import { makeOptimizer } from './model/build-model.js';
import { obtainModel, type ModelUnderAudit } from './model/obtain-model.js';
import { ProbeRecorder } from './train/probe-recorder.js';
import { encodeTargets } from './reference/targets.js';
import { compileLoss, compileMetrics, lossFunction, positiveThreshold } from './train/losses.js';
import { chooseProbeEpochs } from './train/probe-schedule.js';
import { fitWithProbes } from './train/fit.js';
import { classRecall, evaluateModel } from './reference/evaluate.js';
import { assembleArtifacts } from './assemble-artifacts.js';
import { summarizeTargetTensor } from './reference/target-summary.js';
import { fitLinearBaseline } from './reference/linear-fit.js';
import { fitNeighbours, voteFromValidation } from './reference/neighbour-fit.js';
import { earlyStopCallback, failFastInterval, stoppedEarlyText, type ShouldStop } from './train/early-stop.js';
import { checkTargetsFit, fitFeatureShape, inputMismatch, isFlattening } from './model/check-fit.js';
import { activationName } from './model/model-graph.js';
import { checkRowCount, effectiveCaps } from '../policy/limits.js';
import { ModelLoadError } from '../errors.js';

export { MAX_PROBED_EPOCHS, PROBE_BUDGET, chooseProbeEpochs } from './train/probe-schedule.js';

export interface GatherProgress {
  phase: 'load' | 'train' | 'probe' | 'done';
  epoch: number;
  epochs: number;
  logs?: Record<string, number>;
  message?: string;
}

export interface GatherOptions {
  /** Folder that relative paths in the spec resolve against (the spec file's folder). */
  baseDir?: string;
  backend?: BackendName | 'auto';
  onProgress?: (p: GatherProgress) => void;
  /** Skip all probes (for benchmarking plain fit). */
  noProbes?: boolean;
  /** Fail-fast: judges the run after each probe and stops training when it returns a decision (a fresh one per call). */
  shouldStop?: ShouldStop;
}

/**
 * Trains or loads the model a spec names and records every artifact the analyzers read.
 * No tensor outlives this call: the model, optimizer and data tensors are disposed before it returns.
 * The steps live in their own modules: obtain-model (build or load), data/sources (read a dataset, whatever its
 * format), check-fit (data vs model, before training), fit (training with probes), evaluate, assemble-artifacts.
 *
 * @example
 *   const artifacts = await gather(spec, { baseDir: 'fixtures/specs' });
 */
export async function gather(spec: Spec, options: GatherOptions = {}): Promise<Artifacts> {
  const t0 = performance.now();
  const baseDir = options.baseDir ?? process.cwd();
  const progress = options.onProgress ?? (() => undefined);
  const backend = await selectBackend(options.backend);
  const tBackend = performance.now();
  const warnings: string[] = [];
  // A loaded model is opened first: its input shape sizes images and is checked against a data file's header
  // before the rows are read. A model built from layers takes its input shape from the data unless the spec says.
  let mua: ModelUnderAudit | null = 'load' in spec.model ? await obtainModel(spec, [], baseDir) : null;
  const tensors: tf.Tensor[] = [];
  try {
    const knownInput = mua ? mua.model.inputs[0]!.shape.slice(1) : 'train' in spec.model ? spec.model.train.inputShape ?? null : null;
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
    const { model } = mua;
    // tfjs refuses to fit a model with no trainable weight, with a bare "variableGrads()" error: say it by field.
    // (A spec that freezes every layer is refused by the schema; this is a loaded model's case.)
    if (mua.epochs > 0 && model.trainableWeights.length === 0) {
      throw new ModelLoadError(`${mua.location ?? 'model'}: model.load.epochs is ${mua.epochs}, but every layer of the model has trainable: false, ` +
        'so training would change nothing: audit it as saved with epochs: 0, or save it with the layers to train trainable');
    }
    const modelInput = model.inputs[0]!.shape.slice(1);
    const featureShape = fitFeatureShape(data.train.featureShape, modelInput);
    if (!featureShape) throw inputMismatch(data.train.featureShape, modelInput, raw.source, data.train.featureShape.length === 1 ? `${data.train.featureNames.length} feature columns` : undefined);
    if (mua.source === 'loaded' && raw.classes && raw.classes.order !== 'data.classes') {
      // A saved model already maps output units to classes; folder order is only a guess at that mapping.
      const shown = raw.classes.names.slice(0, 4).map((n, i) => `${n}=${i}`).join(', ');
      warnings.push(`class ids follow sorted folder names (${shown}${raw.classes.names.length > 4 ? ', ...' : ''}); if the model was trained ` +
        'with another order, its accuracy here is wrong: give the order with --classes (data.classes)');
    }
    if (isFlattening(data.train.featureShape, modelInput)) {
      warnings.push(`each sample of shape [${data.train.featureShape.join(', ')}] was flattened (C order) to the model's input [${featureShape[0]}]`);
    }
    const outputUnits = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
    const lastLayer = model.layers[model.layers.length - 1];
    checkTargetsFit(data.train, { inputShape: modelInput, outputUnits, outputActivation: lastLayer ? activationName(lastLayer) : null, loss: mua.loss });

    const track = <T extends tf.Tensor>(t: T): T => { tensors.push(t); return t; };
    const toX = (d: Dataset) => track(tf.tensor(d.x, [rowCount(d), ...featureShape]));
    const toY = (d: Dataset) => track(encodeTargets(d, mua!.loss, outputUnits));
    const xTrain = toX(data.train);
    const yTrain = toY(data.train);
    const validation = data.validation ? [toX(data.validation), toY(data.validation)] as [tf.Tensor, tf.Tensor] : undefined;
    const xProbe = toX(data.probe);
    const yProbe = toY(data.probe);
    const metrics = mua.metrics ?? (raw.task === 'classification' ? ['accuracy'] : []);
    const optimizer = makeOptimizer(mua.optimizer);
    try {
      model.compile({ optimizer, loss: compileLoss(mua.loss, mua.fromLogits), metrics: compileMetrics(metrics, mua.loss, mua.fromLogits) });
      const recorder = new ProbeRecorder(model, xProbe, yProbe, lossFunction(mua.loss, mua.fromLogits), true);
      const probe = async (epoch: number, detail: boolean) => {
        if (!options.noProbes) await recorder.probe(epoch, detail);
      };

      // Fail-fast's own probes: timed apart, never part of the artifacts. Batch norm runs on batch statistics there,
      // as training sees it: a unit that only looks dead through still-unsettled moving averages must not stop a run.
      const sentinel = new ProbeRecorder(model, xProbe, yProbe, lossFunction(mua.loss, mua.fromLogits), false, { batchNormTraining: true });
      const tTrain0 = performance.now();
      await probe(0, true);
      let history = mua.history;
      let lastEpoch = 0;
      let stoppedEarly: StoppedEarly | null = null;
      if (mua.epochs > 0) {
        const probedEpochs = chooseProbeEpochs(mua.epochs, spec.data.probeEvery, rowCount(data.probe), rowCount(data.train));
        const m = mua;
        const stopper = options.shouldStop && !options.noProbes ? earlyStopCallback(model, {
          shouldStop: options.shouldStop, epochs: mua.epochs, probedEpochs, main: recorder, sentinel,
          every: failFastInterval(rowCount(data.probe), rowCount(data.train)),
          snapshot: (h, probes) => assembleArtifacts({ spec, backend, model, mua: m, raw, data, outputUnits, history: h, evaluation: null, recorder: probes, warnings: [], timing: {} }),
        }) : null;
        const fitted = await fitWithProbes(model, { xTrain, yTrain, validation }, {
          epochs: mua.epochs,
          batchSize: mua.batchSize,
          seed: spec.seed,
          probedEpochs,
          trainRows: rowCount(data.train),
          recorder: options.noProbes ? null : recorder,
          progress,
          ...(stopper ? { extraCallbacks: [stopper.callback] } : {}),
        });
        history = fitted.history;
        lastEpoch = fitted.lastEpoch;
        warnings.push(...fitted.warnings);
        stoppedEarly = stopper?.stopped() ?? null;
        // A run warning, so the terminal, the HTML report and the e-mail all say where and why training stopped.
        if (stoppedEarly) warnings.push(`training ${stoppedEarlyText(stoppedEarly)}`);
        // gather may have probed the stop epoch already: the full probe below replaces it.
        if (stoppedEarly && recorder.gradients[recorder.gradients.length - 1]?.epoch === lastEpoch) recorder.dropLast();
        await probe(lastEpoch, true);
      }
      const tTrain1 = performance.now();
      const evaluation = validation
        ? await evaluateModel(model, validation[0], validation[1], mua.batchSize, 'validation')
        : await evaluateModel(model, xTrain, yTrain, mua.batchSize, 'all rows');
      const evalRows = data.validation ?? data.train;
      // Per training row, whether the trained network answers it with its label (single-label classification).
      let trainingCorrect: Uint8Array | null = null;
      if (isSingleLabelClassification(raw)) {
        const perClass = await classRecall(model, validation ? validation[0] : xTrain, evalRows.y, raw.numClasses, mua.batchSize, positiveThreshold(mua.fromLogits));
        evaluation.classRecall = perClass.recall;
        evaluation.classCounts = perClass.counts;
        trainingCorrect = perClass.correct;
        if (validation) {
          const onTraining = await classRecall(model, xTrain, data.train.y, raw.numClasses, mua.batchSize, positiveThreshold(mua.fromLogits));
          evaluation.trainClassRecall = onTraining.recall;
          evaluation.trainClassCounts = onTraining.counts;
          trainingCorrect = onTraining.correct;
        }
      }
      const tEval = performance.now();
      // What a linear model reaches on the same rows (a classifier's accuracy ceiling, a regression's loss floor in
      // the network's loss): what missing-nonlinearity and underfitting compare with.
      const linearFit = fitLinearBaseline(data.train, data.validation, mua.loss);
      const tLinear = performance.now();
      // How closely the training rows can be fit without memorizing them, paired with the network's answers: only when
      // this audit trained the network on them (a model audited as saved was fit on other rows).
      const neighbourFit = history && history.epochs.length > 0 && trainingCorrect ? fitNeighbours(data.train, trainingCorrect) : undefined;
      // The training labels checked against the validation rows' (label-noise): the same condition, and a validation split.
      const validationVote = neighbourFit && data.validation ? voteFromValidation(data.train, data.validation) : undefined;
      const tNeighbours = performance.now();
      progress({ phase: 'done', epoch: lastEpoch, epochs: mua.epochs });
      return assembleArtifacts({
        spec, backend, model, mua, raw, data, outputUnits, history, evaluation, recorder, warnings, stoppedEarly, linearFit,
        ...(neighbourFit ? { neighbourFit } : {}),
        ...(validationVote ? { validationVote } : {}),
        // Recorded in the planned last epoch only: a run stopped early never reaches it.
        lossBeforeEnd: recorder.lossBeforeEnd,
        targetSummary: summarizeTargetTensor(yTrain, mua.loss),
        timing: {
          backendMs: tBackend - t0,
          trainMs: tTrain1 - tTrain0 - recorder.probeMs - sentinel.probeMs,
          ...(options.shouldStop ? { failFastProbeMs: sentinel.probeMs } : {}),
          probeMs: recorder.probeMs,
          evaluateMs: tEval - tTrain1,
          linearFitMs: tLinear - tEval,
          ...(neighbourFit ? { neighbourFitMs: tNeighbours - tLinear } : {}),
          totalMs: performance.now() - t0,
        },
      });
    } finally {
      optimizer.dispose();
    }
  } catch (e) {
    // A WebAssembly trap carries the emscripten glue in its stack: the user gets one line and the fix instead.
    throw explainWasmError(e);
  } finally {
    tf.dispose(tensors);
    mua?.model.dispose();
  }
}
