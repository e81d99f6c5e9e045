import type { Artifacts, LayerInfo } from '../artifacts/schema.js';
import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { linkActivation } from './output-activation.js';
import { chanceAccuracy, constantLoss, finalLoss } from './support/artifact-helpers.js';
import {
  LINEAR_CANNOT_FIT_LOSS_RATIO,
  LINEAR_CANNOT_FIT_SKILL,
  linearCannotFit,
  linearComparison,
  modelAccuracy,
  type LinearComparison,
} from './support/baselines.js';

/** Layers that apply a learned linear map (plus their activation, if any). */
const TRAINABLE_MAP =
  /^(Dense|Conv1D|Conv2D|Conv3D|Conv2DTranspose|Conv3DTranspose|DepthwiseConv2D|SeparableConv2D|SeparableConv1D)$/;
/** Layers that are linear at inference: they pass a linear map on as a linear map. */
const LINEAR_PASS =
  /^(InputLayer|Flatten|Reshape|Permute|RepeatVector|Dropout|SpatialDropout\dD|AlphaDropout|GaussianDropout|GaussianNoise|BatchNormalization|AveragePooling\dD|GlobalAveragePooling\dD|ZeroPadding\dD|Cropping\dD|UpSampling\dD|Add|Subtract|Average|Concatenate)$/;
/** max is piecewise linear: a non-linearity, but a weak one (a linear conv + max-pool is nearly a linear model). */
const MAX_POOL = /^(MaxPooling\dD|GlobalMaxPooling\dD|MaxPool\dD)$/;
const LINEAR_ACT = new Set([null, 'linear']);

type Kind = 'map' | 'pass' | 'pool' | 'nonlinear';

function kindOf(l: LayerInfo): Kind {
  if (TRAINABLE_MAP.test(l.className)) return 'map';
  if (l.className === 'Activation') return LINEAR_ACT.has(l.activation) ? 'pass' : 'nonlinear';
  if (LINEAR_PASS.test(l.className)) return 'pass';
  if (MAX_POOL.test(l.className)) return 'pool';
  // ReLU/ELU/Softmax layers, recurrent cells, Embedding, LayerNormalization, Multiply and anything unknown:
  // treated as non-linear, so an unfamiliar layer never produces a false alarm.
  return 'nonlinear';
}

interface Pair {
  from: string;
  to: string;
  pooled: boolean;
}

/**
 * Pairs of trainable layers with no non-linearity between them: `from` has a linear activation and its output
 * reaches `to` only through linear layers (max-pooling marks the pair `pooled`). Walks the layer graph in model order.
 */
export function linearPairs(layers: LayerInfo[]): Pair[] {
  const reach = new Map<string, Map<string, boolean>>();
  const pairs: Pair[] = [];
  for (const l of layers) {
    const incoming = new Map<string, boolean>();
    for (const i of l.inputs)
      for (const [src, pooled] of reach.get(i) ?? []) incoming.set(src, (incoming.get(src) ?? false) || pooled);
    const kind = kindOf(l);
    const out = new Map<string, boolean>();
    if (kind === 'map') {
      for (const [src, pooled] of incoming) pairs.push({ from: src, to: l.name, pooled });
      if (LINEAR_ACT.has(l.activation)) out.set(l.name, false);
    } else if (kind === 'pass') {
      for (const [src, pooled] of incoming) out.set(src, pooled);
    } else if (kind === 'pool') {
      for (const src of incoming.keys()) out.set(src, true);
    }
    reach.set(l.name, out);
  }
  return pairs;
}

export default defineAnalyzer({
  meta: {
    id: 'missing-nonlinearity',
    title: 'The network has non-linearities between its layers',
    failureTitle: 'Layers with no non-linearity between them',
    description:
      'Two trainable layers with nothing non-linear between them compose to a single linear map, so the extra layer adds ' +
      'parameters but no expressive power; a network with no non-linearity at all is a linear (or logistic) model, whatever its depth.',
    requiredArtifacts: ['Model'],
    gateLevel: 'error',
    repairs: ['relu-hidden'],
  },
  thresholds: {
    failSkill: {
      default: LINEAR_CANNOT_FIT_SKILL,
      source:
        "ours: a linear model whose training accuracy is under half-way from chance to perfect cannot separate these classes (linear on 3-class spirals: 0.23; on separable blobs/iris/wine: > 0.9). Judged on the linear classifier gather fits to the same rows, else on the network's own fit",
    },
    failLossRatio: {
      default: LINEAR_CANNOT_FIT_LOSS_RATIO,
      source:
        "ours: a linear model whose loss stays above half the constant predictor's explains little of the target (for MSE: R^2 <= 0.5). Judged on the least-squares fit gather makes to the same rows (regression), else on the network's own loss",
    },
  },
  run(artifacts, { thresholds }) {
    const layers = artifacts.model.layers;
    const link = linkActivation(artifacts);
    const maps = layers.filter((l) => kindOf(l) === 'map');
    if (maps.length === 0) return notApplicable('no Dense or convolution layers');
    // The output's own activation (sigmoid/softmax) is the link function of the model, not a hidden non-linearity.
    const hidden = layers.filter((l) => l.name !== link?.layer);
    const nonlinear = hidden.filter(
      (l) => kindOf(l) === 'nonlinear' || (kindOf(l) === 'map' && !LINEAR_ACT.has(l.activation)),
    );
    const pooled = hidden.filter((l) => kindOf(l) === 'pool');
    const pairs = linearPairs(layers);
    const wholeLinear = nonlinear.length === 0 && pooled.length === 0;
    const fit = fitOf(artifacts);
    const ceiling = linearComparison(artifacts);
    // Whether a straight boundary (or plane) can fit is a fact about the data: the linear model gather fitted to the
    // same rows says it even when this network trained badly (a low learning rate is underfitting's to name, not ours).
    const linearPoor = ceiling ? linearCannotFit(ceiling, thresholds.failSkill, thresholds.failLossRatio) : null;
    const poorFit =
      linearPoor !== null
        ? linearPoor
        : (fit.skill !== null && fit.skill < thresholds.failSkill) ||
          (fit.skill === null && fit.lossRatio !== null && fit.lossRatio >= thresholds.failLossRatio);
    const fitText = [fit.text, ceiling?.text]
      .filter(Boolean)
      .map((t) => `; ${t}`)
      .join('');
    let score: number = SCORE.pass;
    let display: string;
    if (wholeLinear && maps.length >= 2) {
      score = 0.1;
      display = `no non-linearity anywhere: ${maps.length} trainable layers (${maps.map((m) => m.name).join(' -> ')}) compose to one linear map${fitText}`;
    } else if (wholeLinear) {
      score = poorFit ? 0.1 : SCORE.pass;
      display = `a linear model (one trainable layer, ${link?.activation ?? 'linear'} output)${poorFit ? ' that cannot fit this data' : ''}${fitText}`;
    } else if (pairs.length) {
      score = SCORE.warn;
      display =
        pairs.map((p) => `${p.from} -> ${p.to}${p.pooled ? ' (only max-pooling between them)' : ''}`).join('; ') +
        ': no activation between trainable layers' +
        fitText;
    } else {
      display = `${nonlinear.length + pooled.length} non-linear layer${nonlinear.length + pooled.length === 1 ? '' : 's'} between ${maps.length} trainable layers`;
    }
    const affected =
      score < 0.9
        ? [...new Set(pairs.flatMap((p) => [p.from, p.to]).concat(wholeLinear ? maps.map((m) => m.name) : []))]
        : [];
    return {
      score,
      numericValue: pairs.length,
      numericUnit: 'pairs of trainable layers with no non-linearity between them',
      displayValue: display,
      affectedLayers: affected,
      recommendation:
        score < 0.9
          ? `Give the hidden layers a non-linear activation (relu with heNormal initialization${pairs.length ? `, e.g. on ${pairs[0]!.from}` : ''}); ` +
            (wholeLinear && maps.length === 1
              ? `add at least one hidden layer with a non-linear activation: a single linear layer can only ${artifacts.data.task === 'regression' ? 'fit a linear function of the inputs' : 'draw straight decision boundaries'}. `
              : '') +
            'without one, stacked layers are one linear map.'
          : null,
      evidence: [
        {
          kind: 'table',
          title: 'Trainable layers and what follows them',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'className', label: 'Class' },
            { key: 'activation', label: 'Activation' },
            { key: 'feeds', label: 'Feeds linearly into' },
          ],
          rows: maps.map((m) => ({
            layer: m.name,
            className: m.className,
            activation: m.activation ?? 'linear',
            feeds:
              pairs
                .filter((p) => p.from === m.name)
                .map((p) => p.to)
                .join(', ') || null,
          })),
          highlight: maps.flatMap((m, i) => (affected.includes(m.name) ? [i] : [])),
        },
        ...(fit.text || ceiling ? [fitTable(fit, ceiling, poorFit)] : []),
      ],
    };
  },
});

/** The network's fit beside the linear model's on the same rows: the ceiling (classifier) or floor (regression loss) of any network without a non-linearity. */
function fitTable(fit: Fit, ceiling: LinearComparison | null, poorFit: boolean) {
  const all =
    ceiling?.task === 'regression'
      ? [
          {
            measure: `training loss (${ceiling.measure})`,
            network: ceiling.networkTraining,
            linear: ceiling.fit.trainLoss,
          },
          {
            measure: `validation loss (${ceiling.measure})`,
            network: ceiling.networkValidation,
            linear: ceiling.fit.validationLoss ?? null,
          },
          { measure: 'loss / constant predictor', network: fit.lossRatio, linear: ceiling.linearLossRatio },
        ]
      : [
          { measure: 'training accuracy', network: fit.accuracy, linear: ceiling?.fit.trainAccuracy ?? null },
          {
            measure: 'validation accuracy',
            network: ceiling?.networkValidation ?? null,
            linear: ceiling?.fit.validationAccuracy ?? null,
          },
          { measure: 'chance accuracy', network: fit.chance, linear: fit.chance },
          { measure: 'loss / constant predictor', network: fit.lossRatio, linear: ceiling?.linearLossRatio ?? null },
        ];
  const rows = all.filter((r) => r.network !== null || r.linear !== null);
  // The row that shows the poor fit: the classifier's training accuracy, the regression's loss over the constant predictor's.
  const poorRow = rows.findIndex(
    (r) => r.measure === (ceiling?.task === 'regression' ? 'loss / constant predictor' : 'training accuracy'),
  );
  return {
    kind: 'table' as const,
    title: `Fit of this network and of a linear model${ceiling ? ` (${ceiling.about})` : ''}`,
    columns: [
      { key: 'measure', label: 'Measure' },
      { key: 'network', label: 'This network' },
      ...(ceiling ? [{ key: 'linear', label: 'Linear model' }] : []),
    ],
    rows,
    highlight: poorFit && poorRow >= 0 ? [poorRow] : [],
  };
}

interface Fit {
  accuracy: number | null;
  chance: number | null;
  skill: number | null;
  lossRatio: number | null;
  text: string;
}

function fitOf(a: Artifacts): Fit {
  const accuracy = modelAccuracy(a)?.value ?? null;
  const chance = chanceAccuracy(a);
  const skill = accuracy !== null && chance !== null && chance < 1 ? (accuracy - chance) / (1 - chance) : null;
  const base = constantLoss(a);
  const loss = finalLoss(a);
  const lossRatio = base !== null && base > 0 && loss !== null ? loss / base : null;
  const parts: string[] = [];
  if (accuracy !== null && chance !== null)
    parts.push(`training accuracy ${accuracy.toFixed(2)} vs chance ${chance.toFixed(2)}`);
  else if (lossRatio !== null) parts.push(`loss ${fmt.pct(lossRatio)} of a constant predictor's`);
  return { accuracy, chance, skill, lossRatio, text: parts.join(', ') };
}
