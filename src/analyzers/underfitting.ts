import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import {
  chanceAccuracy,
  constantLoss,
  type FinalFall,
  finalFall,
  finalLoss,
  probeProgress,
  probesWithLoss,
  progressText,
  tailMean,
  trainedHere,
  trainingClasses,
} from './support/artifact-helpers.js';
import {
  constantPredictorText,
  holds,
  linearCannotFit,
  linearComparison,
  modelAccuracy,
  neighbourComparison,
  type LinearComparison,
  type NeighbourComparison,
} from './support/baselines.js';

export default defineAnalyzer({
  meta: {
    id: 'underfitting',
    title: 'The model fits the training data',
    failureTitle: 'The model underfits',
    description:
      'A training loss that stays near what a constant prediction scores means the model learned little of the signal: ' +
      'too little capacity, too few epochs, a bad learning rate or a broken network (dead or saturated units).',
    requiredArtifacts: ['Data'],
    gateLevel: 'error',
    after: ['task-setup', 'class-imbalance', 'label-noise'],
    repairs: ['add-hidden-layers', 'adam', 'lr-up', 'more-epochs'],
  },
  thresholds: {
    failLossRatio: {
      default: 0.85,
      source:
        "ours, tuned on the fixtures: final training loss >= 85% of the constant predictor's loss (healthy fixtures: 2-11%)",
    },
    warnLossRatio: { default: 0.5, source: 'ours: loss down by less than half from the constant-predictor baseline' },
    failSkill: {
      default: 0.3,
      source:
        'ours: training accuracy under 30% of the way from chance to perfect (healthy fixtures: > 0.8; a linear model on spirals: 0.23)',
    },
    warnSkill: { default: 0.5, source: 'ours: under half-way from chance to perfect' },
    stalledProgress: {
      default: 0.1,
      source:
        "ours, from the fault benchmark's tuning half: a loss above half the constant predictor's that also fell by under 10% over the run (probe loss) is not going anywhere (lr / 1000, SGD at 1e-4), when the run started untrained: built from the spec, or a loaded model whose first probe loss is no better than failLossRatio of the constant predictor's (a trained checkpoint fine-tuned for an epoch, k3-churn-ann at 67%, is not stuck)",
    },
    stoppedFalling: {
      default: 0.1,
      source:
        "ours, the mirror of stalledProgress (fault benchmark tuning half, one-epoch runs): a loss above half the constant predictor's that was still falling by >= 10% of itself per epoch when training ended was stopped early (healthy fixtures end under 2% per epoch)",
    },
    belowNeighbours: {
      default: 0.05,
      source:
        'ours: the trained network answers at least 5 points fewer of its training rows right than a 5-nearest-neighbour vote that ' +
        'leaves each row out of its own vote (gather/reference/neighbour-fit.ts), so the data allows a closer fit without memorizing. Measured before ' +
        "the rule on the fault benchmark's set 9: its 24 clean classifiers at -0.064 to +0.003, its one-epoch runs at 0.06-0.47 " +
        "(moons 0.11: a loss at 42% of the constant predictor's, flat over the last half epoch, that no other rule saw)",
    },
    shortRunEpochs: {
      default: 2,
      source:
        'ours: a run of at most this many epochs from a random start that is clearly below the neighbour vote fails (a longer one ' +
        "warns). Keras's and tfjs's fit train one epoch unless told otherwise (epochs=1), the usual way a run ends after one pass by " +
        "mistake (DeepCrime's HNE). The accuracy benchmark's healthy one-hidden-layer tanh/elu networks on moons and spirals sit 6-12 " +
        'points below the vote after 30-60 epochs and are labelled healthy: there the gap is reported, not failed',
    },
    neighbourZ: {
      default: 2.326,
      source:
        "one-sided 1% critical value of McNemar's test on the rows only one of the two answers right (Agresti, Categorical Data Analysis, 10.1): the gap is not chance",
    },
    stillFalling: {
      default: 0.1,
      source:
        "ours, from the fault benchmark's tuning half and its 26 clean models: at any loss, a probe loss (or, in a run probed only at its two ends, the training loss of its last epochs) still falling by >= 10% of the constant predictor's loss per epoch at the end was stopped early (the clean models end at <= 2% per epoch, the tuning one-epoch runs at 13-70%)",
    },
  },
  run(artifacts, { thresholds, findings }) {
    const trivial = constantLoss(artifacts);
    if (trivial === null)
      return notApplicable(`no constant-predictor baseline for loss ${artifacts.model.loss ?? '(none recorded)'}`);
    // One class in the training rows: answering it is perfect, and a loss "N times the constant predictor's" (a clipped
    // 1e-7 for binary cross-entropy) would be noise, not a verdict.
    const oneClass = artifacts.data.task === 'classification' && trainingClasses(artifacts).length === 1;
    if (oneClass) {
      const rows = trainedHere(artifacts) ? 'training rows' : 'rows';
      return notApplicable(
        `the ${rows} hold one class: a constant predictor is already perfect${holds(findings, 'class-imbalance') ? ' (see class-imbalance)' : ''}`,
      );
    }
    if (trivial <= 0) {
      return notApplicable(
        `a constant predictor already scores a loss of ${fmt.sci(trivial)}` +
          (holds(findings, 'task-setup') ? ': the targets do not fit the loss (see task-setup)' : ''),
      );
    }
    const h = artifacts.history;
    const loss = h?.series['loss'];
    // Without history (a loaded model), judge the probe loss of the saved weights.
    const final = finalLoss(artifacts);
    if (final === null)
      return notApplicable(loss ? 'the training loss is not finite' : 'no training history or probe loss');
    if (final < 0) {
      return notApplicable(
        `the loss is negative (${fmt.sci(final)}), so it cannot be compared with a constant predictor` +
          (holds(findings, 'task-setup') ? ': the targets do not fit the loss (see task-setup)' : ''),
      );
    }
    const ratio = final / trivial;
    const measured = modelAccuracy(artifacts);
    const acc = measured?.value ?? null;
    const chance = chanceAccuracy(artifacts);
    const skill = acc !== null && chance !== null && chance < 1 ? (acc - chance) / (1 - chance) : null;
    const nearChance = skill !== null && skill < thresholds.failSkill;
    const lowSkill = skill !== null && skill < thresholds.warnSkill;
    const progress = probeProgress(artifacts);
    // The probe rows are validation rows when there is a split: a probe loss that rose while the training loss fell
    // by the same margin is the validation rows parting from the training rows (overfitting names that), not a stall.
    const trainFall = trainingProgress(loss);
    const overfitShape =
      progress !== null && progress < 0 && trainFall !== null && trainFall >= thresholds.stalledProgress;
    // "Did not fall" means stuck only for a run that started untrained: a model built from the spec always does (even
    // where its random start already beats the constant predictor, as a linear map of spirals does at 70%); a loaded or
    // callback model only when its first probe loss is no better than failLossRatio of it. A trained checkpoint
    // fine-tuned for an epoch (--epochs) has nothing left to gain and rightly stays put.
    const startLoss = probesWithLoss(artifacts)[0]?.loss ?? null;
    const startedUntrained =
      artifacts.model.source === 'trained' || (startLoss !== null && startLoss >= thresholds.failLossRatio * trivial);
    const stalled =
      ratio >= thresholds.warnLossRatio &&
      progress !== null &&
      progress < thresholds.stalledProgress &&
      !overfitShape &&
      startedUntrained;
    // Still falling fast at the end: more epochs, not a different model, is what it needs (DeepCrime's HNE fault).
    const fall = h ? finalFall(artifacts) : null;
    const fallRate = fall ? fall.perEpoch / fall.last : null;
    const stoppedEarly =
      fall !== null &&
      ((ratio >= thresholds.warnLossRatio && fallRate! >= thresholds.stoppedFalling) ||
        fall.perEpoch / trivial >= thresholds.stillFalling);
    // A reference that can fit non-linear data without memorizing it: a network clearly below it stopped short of
    // what these rows allow (one epoch, a learning rate too low), whatever its loss against the constant predictor.
    const neighbours = trainedHere(artifacts) ? neighbourComparison(artifacts) : null;
    const belowNeighbours =
      neighbours !== null && neighbours.gap >= thresholds.belowNeighbours && neighbours.z >= thresholds.neighbourZ;
    const epochs = h?.epochs.length ?? 0;
    // Short of the vote after one or two passes from a random start: stopped before it used what the rows allow. After a
    // longer run the same gap may be the model's own limit (a small tanh network on moons): said, at warn.
    // (A run fail-fast stopped early is not judged here at all: see run-analyzers.)
    const shortRun = startedUntrained && epochs <= thresholds.shortRunEpochs;
    const score =
      ratio >= thresholds.failLossRatio || nearChance || stalled || stoppedEarly || (belowNeighbours && shortRun)
        ? 0.2
        : ratio >= thresholds.warnLossRatio || lowSkill || belowNeighbours
          ? SCORE.warn
          : SCORE.pass;
    const what = loss ? 'training loss' : 'probe loss of the saved weights';
    // Audited as saved (no epochs here, no history given): the usual cause is the data, not the model.
    const asSaved = !loss && artifacts.model.source === 'loaded';
    const parts = [
      `${what} ${fmt.sci(final)} is ${fmt.pct(ratio)} of the constant predictor's ${fmt.sci(trivial)}${artifacts.data.targetSummary ? ` (${constantPredictorText(artifacts)})` : ''}`,
    ];
    if (acc !== null && chance !== null)
      parts.push(
        `${measured!.on === 'training' ? 'training' : 'evaluated'} accuracy ${acc.toFixed(2)} vs chance ${chance.toFixed(2)}`,
      );
    if (stalled) parts.push(`the probe loss ${progressText(progress!)} over the run`);
    if (stoppedEarly)
      parts.push(
        `training stopped after ${epochs} epoch${epochs === 1 ? '' : 's'} while the ${fall!.of} loss was still falling by ${fallText(fall!, trivial)}`,
      );
    if (belowNeighbours) {
      parts.push(
        `${neighbours!.text}: the data allows a closer fit (${neighbours!.z.toFixed(1)} standard errors)` +
          (shortRun ? ` than ${epochs} epoch${epochs === 1 ? '' : 's'} of training found` : ''),
      );
    }
    // Wrong training labels cap the fit whatever the capacity: the cause, and more capacity or epochs would memorize them.
    const noisyLabels = score < 0.9 && holds(findings, 'label-noise');
    if (noisyLabels)
      parts.push('likely cause: the training labels look noisier than the validation labels (see label-noise)');
    // A second baseline, beside the constant predictor: the linear model gather fitted to the same rows. It
    // changes no score; it tells a capacity problem (no better than linear) from a training one (below linear).
    const linear = score < 0.9 ? linearComparison(artifacts) : null;
    return {
      score,
      numericValue: ratio,
      numericUnit: 'final training loss / constant-predictor loss',
      displayValue: parts.join('; '),
      affectedLayers: [],
      recommendation:
        score < 0.9
          ? (noisyLabels
              ? 'Check the training labels first (see label-noise): a model cannot fit labels that contradict their inputs, and more ' +
                'capacity or epochs would only memorize the wrong ones. '
              : '') +
            (asSaved
              ? 'A trained model that scores like this on data it should know is usually fed differently than in training: check the ' +
                'feature columns and their order, the scaling (normalize, rescale) and the class order (data.classes). If the data is right, '
              : '') +
            (belowNeighbours && !stoppedEarly
              ? `The training rows allow a closer fit than this run found (${fmt.pct(neighbours!.vote)} for a ${neighbours!.fit.k}-nearest-neighbour vote, ` +
                `${fmt.pct(neighbours!.network)} for this network): train longer${shortRun ? ' (Keras and tfjs fit one epoch unless given epochs)' : ''} ` +
                'and tune the learning rate before adding capacity. '
              : '') +
            (stoppedEarly
              ? `Train longer: the loss was still falling by ${fallText(fall!, trivial)} after ${epochs} epoch${epochs === 1 ? '' : 's'}. `
              : '') +
            linearAdvice(linear) +
            `${asSaved ? 'add' : 'Add'} capacity (more units or layers with a non-linear activation: the model has ${artifacts.model.trainableParams} parameters), ` +
            `${asSaved ? 'train it (--epochs N, or model.load.epochs)' : `train longer (${epochs} epochs so far)`}, tune the learning rate, and check the dead-relu and saturation findings: ` +
            'a broken layer makes any model underfit.'
          : null,
      evidence: [
        ...(loss && h
          ? [
              {
                kind: 'series' as const,
                title: 'Training loss vs constant-predictor loss',
                xLabel: 'epoch',
                yLabel: 'loss',
                logY: false,
                x: h.epochs,
                series: [
                  { name: 'train loss', values: loss },
                  { name: 'constant predictor', values: h.epochs.map(() => trivial) },
                ],
                markers: [],
                regions: [],
              },
            ]
          : []),
        ...(linear || (neighbours && score < 0.9)
          ? [baselineTable(linear, score < 0.9 ? neighbours : null, chance, measured, trivial)]
          : []),
      ],
    };
  },
});

/** "12% of itself (9% of the constant predictor's loss) per epoch since epoch 10", or "... over the second half of the last epoch". */
function fallText(f: FinalFall, trivial: number): string {
  const since = Number.isInteger(f.from) ? `since epoch ${f.from}` : 'over the second half of the last epoch';
  return `${fmt.pct(f.perEpoch / f.last)} of itself (${fmt.pct(f.perEpoch / trivial)} of the constant predictor's loss) per epoch ${since}`;
}

/** How much the training loss fell from the first epoch to the end (mean of the last 3), as a share; null under 2 epochs. */
function trainingProgress(loss: Array<number | null> | undefined): number | null {
  const first = loss?.[0];
  const last = tailMean(loss);
  if (!loss || loss.length < 2 || first === null || first === undefined || !(first > 0) || last === null) return null;
  return (first - last) / first;
}

/** What the linear model's fit says about the cause, as the recommendation's first sentence (empty when nothing). */
function linearAdvice(c: LinearComparison | null): string {
  if (!c || c.network === null) return '';
  if (c.belowLinear) {
    const who =
      c.task === 'regression'
        ? 'A linear least-squares fit to the same rows reaches'
        : 'A linear model fitted to the same rows reaches';
    const what =
      c.task === 'regression'
        ? `${c.on} ${c.measure} ${c.format(c.linear)}, less`
        : `${c.format(c.linear)} ${c.on} accuracy, more`;
    return (
      `${who} ${what} than this network's ${c.format(c.network)}: ` +
      'the data allows a better fit than this run found, so look at training (learning rate, epochs, dead or saturated units) before capacity. '
    );
  }
  const versus = c.text.replace(/: it is no better than linear$/, '');
  // Only where the linear model itself cannot fit is "no better than linear" a capacity problem: near a good linear
  // fit the rest of the loss may be label noise no model removes, so the fact is stated without a cause. The
  // "cannot fit" line is missing-nonlinearity's default (one definition in baselines.ts).
  if (c.noBetter && linearCannotFit(c))
    return `This network is no better than a linear model (${versus}), and a linear model cannot fit these rows: it needs non-linear capacity, unless the features carry no signal for these labels (then no model will). `;
  if (c.noBetter) return `This network is no better than a linear model (${versus}). `;
  return '';
}

/**
 * The baselines beside the network on the same rows: the constant predictor, the linear model (when fitted), and for a
 * classifier the neighbour vote on the training rows (when recorded and the finding is not a pass).
 */
function baselineTable(
  c: LinearComparison | null,
  n: NeighbourComparison | null,
  chance: number | null,
  measured: ReturnType<typeof modelAccuracy>,
  trivial: number,
) {
  if (c?.task === 'regression') {
    return {
      kind: 'table' as const,
      title: `Baselines on the same rows: a constant predictor and a linear model (${c.about})`,
      columns: [
        { key: 'model', label: 'Model' },
        { key: 'train', label: `Training loss (${c.measure})` },
        { key: 'validation', label: `Validation loss (${c.measure})` },
      ],
      rows: [
        { model: 'constant predictor', train: c.fit.constantLoss ?? trivial, validation: null },
        { model: 'linear model', train: c.fit.trainLoss, validation: c.fit.validationLoss ?? null },
        { model: 'this network', train: c.networkTraining, validation: c.networkValidation },
      ],
      highlight: c.belowLinear ? [2] : [],
    };
  }
  const rows = [
    { model: 'constant predictor', train: chance, validation: null },
    ...(c ? [{ model: 'linear model', train: c.fit.trainAccuracy, validation: c.fit.validationAccuracy }] : []),
    ...(n
      ? [
          {
            model: `${n.fit.k}-nearest-neighbour vote (leave-one-out, ${n.fit.rows} rows)`,
            train: n.vote,
            validation: null,
          },
        ]
      : []),
    {
      model: 'this network',
      train: n ? n.network : measured?.on === 'training' ? measured.value : (c?.networkTraining ?? null),
      validation: c?.networkValidation ?? null,
    },
  ];
  const names = [
    'a constant predictor',
    ...(c ? [`a linear model (${c.about})`] : []),
    ...(n ? ['a neighbour vote'] : []),
  ];
  return {
    kind: 'table' as const,
    title: `Baselines on the same rows: ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`,
    columns: [
      { key: 'model', label: 'Model' },
      { key: 'train', label: 'Training accuracy' },
      { key: 'validation', label: 'Validation accuracy' },
    ],
    rows,
    highlight: c?.belowLinear || (n && n.gap > 0) ? [rows.length - 1] : [],
  };
}
