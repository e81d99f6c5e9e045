import type { Evaluation, LinearFit, NeighbourFit, ValidationVote } from '../../artifacts/schema.js';
import { isSingleLabelClassification, type Dataset } from '../data/dataset.js';
import type { PreparedData } from '../data/prepare.js';
import type { ModelUnderAudit } from '../model/obtain-model.js';
import { positiveThreshold } from '../model/logits.js';
import type { AuditTensors } from '../train/train-with-probes.js';
import { classRecall, evaluateModel } from './evaluate.js';
import { fitLinearBaseline } from './linear-fit.js';
import { fitNeighbours, voteFromValidation } from './neighbour-fit.js';

export interface References {
  evaluation: Evaluation;
  linearFit: LinearFit;
  neighbourFit?: NeighbourFit;
  validationVote?: ValidationVote;
  timing: { evaluateMs: number; linearFitMs: number; neighbourFitMs?: number };
}

/**
 * What the trained network scores (loss, metrics, per-class recall on the evaluation rows) and what the
 * references reach on the same rows: a linear model (a classifier's accuracy ceiling, a regression's loss floor in
 * the network's loss), and the neighbour votes that tell how closely the rows can be fit without memorizing them.
 */
export async function measureReferences(
  mua: ModelUnderAudit,
  raw: Dataset,
  data: PreparedData,
  t: AuditTensors,
  hasHistory: boolean,
): Promise<References> {
  const t0 = performance.now();
  const { model } = mua;
  const evaluation = t.validation
    ? await evaluateModel(model, t.validation[0], t.validation[1], mua.batchSize, 'validation')
    : await evaluateModel(model, t.xTrain, t.yTrain, mua.batchSize, 'all rows');
  const evalRows = data.validation ?? data.train;
  const threshold = positiveThreshold(mua.fromLogits);
  // Per training row, whether the trained network answers it with its label (single-label classification).
  let trainingCorrect: Uint8Array | null = null;
  if (isSingleLabelClassification(raw)) {
    const perClass = await classRecall(
      model,
      t.validation ? t.validation[0] : t.xTrain,
      evalRows.y,
      raw.numClasses,
      mua.batchSize,
      threshold,
    );
    evaluation.classRecall = perClass.recall;
    evaluation.classCounts = perClass.counts;
    trainingCorrect = perClass.correct;
    if (t.validation) {
      const onTraining = await classRecall(model, t.xTrain, data.train.y, raw.numClasses, mua.batchSize, threshold);
      evaluation.trainClassRecall = onTraining.recall;
      evaluation.trainClassCounts = onTraining.counts;
      trainingCorrect = onTraining.correct;
    }
  }
  const tEval = performance.now();
  const linearFit = fitLinearBaseline(data.train, data.validation, mua.loss);
  const tLinear = performance.now();
  // How closely the training rows can be fit without memorizing them, paired with the network's answers: only when
  // the run has a training history on them (a model audited as saved was fit on other rows). The training labels
  // checked against the validation rows' vote (label-noise): the same condition, and a validation split.
  const neighbourFit = hasHistory && trainingCorrect ? fitNeighbours(data.train, trainingCorrect) : undefined;
  const validationVote = neighbourFit && data.validation ? voteFromValidation(data.train, data.validation) : undefined;
  const tNeighbours = performance.now();
  return {
    evaluation,
    linearFit,
    ...(neighbourFit ? { neighbourFit } : {}),
    ...(validationVote ? { validationVote } : {}),
    timing: {
      evaluateMs: tEval - t0,
      linearFitMs: tLinear - tEval,
      ...(neighbourFit ? { neighbourFitMs: tNeighbours - tLinear } : {}),
    },
  };
}
