import type { tf } from './tf.js';
import type { Spec, LossName } from '../config/spec-schema.js';
import {
  ARTIFACTS_VERSION,
  MAX_FEATURE_NAMES,
  type Artifacts,
  type Evaluation,
  type History,
  type LinearFit,
  type NeighbourFit,
  type StoppedEarly,
  type ValidationVote,
  type TargetSummary,
} from '../artifacts/schema.js';
import type { PreparedData } from './data/prepare.js';
import { type Dataset, rowCount } from './data/dataset.js';
import type { ModelUnderAudit } from './model/obtain-model.js';
import type { ProbeRecorder } from './train/probe-recorder.js';
import { describeModel } from './model/model-graph.js';
import { chanceAccuracy, trivialLoss } from './reference/targets.js';
import type { BackendInfo } from './backend/backend.js';

export interface AssembleInputs {
  spec: Spec;
  backend: Pick<BackendInfo, 'name' | 'reason' | 'tfjsVersion'>;
  model: tf.LayersModel;
  mua: ModelUnderAudit;
  raw: Dataset;
  data: PreparedData;
  outputUnits: number;
  history: History | null;
  /** null for fail-fast's snapshots of a run still training. */
  evaluation: Evaluation | null;
  recorder: Pick<ProbeRecorder, 'gradients' | 'weights' | 'activations'>;
  timing: Artifacts['timing'];
  warnings: string[];
  stoppedEarly?: StoppedEarly | null;
  /** The encoded training targets summarized for the loss (target-summary.ts). */
  targetSummary?: TargetSummary;
  /** The linear classifier's fit of the same rows (linear-fit.ts); absent from fail-fast's snapshots. */
  linearFit?: LinearFit;
  /** The neighbour vote on the training rows, paired with the network (neighbour-fit.ts); absent from fail-fast's snapshots. */
  neighbourFit?: NeighbourFit;
  /** The validation rows' vote on the training labels (neighbour-fit.ts); absent from fail-fast's snapshots and without a validation split. */
  validationVote?: ValidationVote;
  /** The probe loss half-way through the last epoch (ProbeRecorder.recordLossBeforeEnd), when recorded. */
  lossBeforeEnd?: Artifacts['lossBeforeEnd'] | null;
}

/** The artifact document from what gather measured: plain JSON, no tensors. */
export function assembleArtifacts(a: AssembleInputs): Artifacts {
  const { mua } = a;
  return {
    artifactsVersion: ARTIFACTS_VERSION,
    createdAt: new Date().toISOString(),
    backend: { name: a.backend.name, reason: a.backend.reason, tfjsVersion: a.backend.tfjsVersion },
    seed: a.spec.seed,
    model: {
      ...describeModel(a.model, mua.source, mua.location, mua.loss, {
        name: mua.optimizer.name,
        learningRate: mua.optimizer.learningRate,
      }),
      name: a.spec.name ?? a.model.name,
      fromLogits: mua.fromLogits,
      fromLogitsSource: mua.fromLogitsSource,
      inputLayout: mua.inputLayout,
    },
    data: {
      ...dataInfo(a.raw, a.data, mua.loss, a.outputUnits),
      ...(a.targetSummary ? { targetSummary: a.targetSummary } : {}),
      ...(a.linearFit ? { linearFit: a.linearFit } : {}),
      ...(a.neighbourFit ? { neighbourFit: a.neighbourFit } : {}),
      ...(a.validationVote ? { validationVote: a.validationVote } : {}),
    },
    history: a.history,
    ...(a.evaluation ? { evaluation: a.evaluation } : {}),
    gradients: a.recorder.gradients,
    weights: a.recorder.weights,
    activations: a.recorder.activations,
    timing: a.timing,
    warnings: a.warnings,
    ...(a.stoppedEarly ? { stoppedEarly: a.stoppedEarly } : {}),
    ...(a.lossBeforeEnd ? { lossBeforeEnd: a.lossBeforeEnd } : {}),
  };
}

function dataInfo(raw: Dataset, data: PreparedData, loss: LossName, outputUnits: number): Artifacts['data'] {
  return {
    source: raw.source,
    task: raw.task,
    numClasses: raw.numClasses,
    trainSize: rowCount(data.train),
    validationSize: data.validation ? rowCount(data.validation) : 0,
    probeSize: rowCount(data.probe),
    normalize: data.normalize,
    featureRange: data.featureRange,
    chanceAccuracy: chanceAccuracy(data.train),
    trivialLoss: trivialLoss(data.train, loss, outputUnits),
    ...(data.train.yWidth && data.train.yWidth > 1 ? { targets: data.train.yWidth } : {}),
    ...(raw.classes ? { classes: raw.classes } : {}),
    ...featureNames(data.train),
  };
}

/** Names worth recording: a flat input named by the data, not the x0..xn placeholders a loader made up. */
function featureNames(d: Dataset): { featureNames?: string[] } {
  const names = d.featureNames;
  if (d.featureShape.length !== 1 || names.length !== d.featureShape[0] || names.length > MAX_FEATURE_NAMES) return {};
  if (names.length === 0 || names.every((n, i) => n === `x${i}`)) return {};
  // A header cell can be any length; the report shows a dozen characters of it.
  return { featureNames: names.map((n) => (n.length > 64 ? n.slice(0, 64) : n)) };
}
