import type { Artifacts, TargetSummary } from '../artifacts/schema.js';
import { defineAnalyzer, fmt, notApplicable, SCORE } from './support/define-analyzer.js';
import { linkActivation } from './output-activation.js';
import { constantPredictorText } from './support/baselines.js';

const CROSS_ENTROPY = new Set(['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy']);
const REGRESSION = new Set(['meanSquaredError', 'meanAbsoluteError', 'huber', 'huberLoss']);
/** Output ranges of head activations; targets outside them can never be reached. */
const RANGE: Record<string, [number, number]> = {
  sigmoid: [0, 1],
  softmax: [0, 1],
  tanh: [-1, 1],
  relu: [0, Infinity],
  relu6: [0, 6],
  softplus: [0, Infinity],
  elu: [-1, Infinity],
};

interface Row {
  aspect: string;
  found: string;
  expected: string;
  ok: boolean;
}
interface Problem {
  text: string;
  fix: string;
}

function targetText(t: TargetSummary): string {
  const range = t.min === null ? '' : `, values ${fmt.sci(t.min)}..${fmt.sci(t.max)}`;
  return `${t.kind}, ${t.columns} column${t.columns === 1 ? '' : 's'}${range}${t.distinct === null ? '' : `, ${t.distinct} distinct`}`;
}

/** Targets that are class labels: 0/1 columns, or one column of 0/1, or the spec said classification. */
function classLike(a: Artifacts, t: TargetSummary | undefined): boolean {
  if (t) {
    if (t.kind === 'one-hot' || t.kind === 'multi-hot') return true;
    if (t.kind === 'integer' && t.columns === 1 && t.min === 0 && t.max === 1) return true;
    if (t.kind === 'real') return false;
  }
  return a.data.task === 'classification';
}

/** What the loss expects of the targets, and the problems found against it. */
function checkTargets(
  loss: string,
  units: number,
  act: string,
  t: TargetSummary,
  a: Artifacts,
): { expected: string; problems: Problem[] } {
  const p: Problem[] = [];
  const inUnit = t.min !== null && t.max !== null && t.min >= 0 && t.max <= 1;
  if (loss === 'binaryCrossentropy') {
    if (!inUnit) {
      p.push({
        text:
          `binaryCrossentropy needs targets in [0, 1], found ${fmt.sci(t.min)}..${fmt.sci(t.max)}` +
          (t.kind === 'integer' && t.columns === 1 ? ` (class ids of ${(t.max ?? 0) + 1} classes)` : ''),
        fix:
          t.kind === 'integer' && (t.max ?? 0) > 1
            ? `The labels are class ids 0..${t.max}: use softmax over ${(t.max ?? 0) + 1} units with sparseCategoricalCrossentropy (or one-hot labels with categoricalCrossentropy).`
            : 'Scale the targets into [0, 1], or use a regression loss.',
      });
    }
    if (t.kind === 'one-hot' && act === 'softmax' && units > 1) {
      p.push({
        text: `softmax over ${units} units with binaryCrossentropy on one-hot targets: the loss scores each unit as an independent yes/no, so 'accuracy' is per-unit binary accuracy (a constant scores ${fmt.sci(t.chanceAccuracy)})`,
        fix: 'Use categoricalCrossentropy with softmax for one class per sample (sparseCategoricalCrossentropy for integer labels).',
      });
    }
    if (t.columns !== units) {
      p.push({
        text: `${t.columns} target column${t.columns === 1 ? '' : 's'} for ${units} output units: binaryCrossentropy compares them element by element (broadcast), not as classes`,
        fix:
          units > 1 && t.columns === 1
            ? 'For one 0/1 label per sample use a single sigmoid unit; for classes use softmax with sparseCategoricalCrossentropy.'
            : 'Give the output layer one unit per target column.',
      });
    }
    return {
      expected:
        units > 1 ? `0/1 per unit in ${units} columns (multi-label)` : 'one column of 0/1 labels (or probabilities)',
      problems: p,
    };
  }
  if (loss === 'categoricalCrossentropy') {
    if (t.kind === 'integer' && t.columns === 1) {
      p.push({
        text: 'categoricalCrossentropy on one column of integer class ids: it expects one-hot rows',
        fix: 'Use sparseCategoricalCrossentropy for integer labels, or one-hot encode them.',
      });
    } else if (t.kind === 'multi-hot' && inUnit) {
      p.push({
        text: 'multi-hot targets (several 1s per row) with categoricalCrossentropy: softmax makes the classes compete, so only one can be predicted',
        fix: 'For multi-label targets use sigmoid on each unit with binaryCrossentropy.',
      });
    } else if (t.kind === 'real' || !inUnit) {
      p.push({
        text: `categoricalCrossentropy needs class-probability rows; found ${targetText(t)}`,
        fix: 'One-hot encode class labels, or use a regression loss for real targets.',
      });
    }
    return { expected: `one-hot rows over ${units} columns`, problems: p };
  }
  if (loss === 'sparseCategoricalCrossentropy') {
    if (t.kind === 'real')
      p.push({
        text: 'sparseCategoricalCrossentropy on non-integer targets: they are truncated to class ids',
        fix: 'Give integer class ids 0..K-1, or use a regression loss.',
      });
    else if (t.columns > 1)
      p.push({
        text: `sparseCategoricalCrossentropy on ${t.columns}-column targets: it expects one integer id per row`,
        fix: 'Use categoricalCrossentropy for one-hot targets.',
      });
    else if ((t.min ?? 0) < 0 || (t.max ?? 0) >= units) {
      p.push({
        text: `class ids ${t.min}..${t.max} but the softmax has ${units} unit${units === 1 ? '' : 's'}`,
        fix: `Give the output layer ${(t.max ?? 0) + 1} units.`,
      });
    }
    return { expected: `one column of integer ids 0..${units - 1}`, problems: p };
  }
  if (REGRESSION.has(loss)) {
    if (classLike(a, t)) {
      const mae = loss === 'meanAbsoluteError';
      p.push({
        text:
          `${loss} on class labels (${t.kind})` +
          (mae
            ? ': its gradient has the same size for every error, and predicting the majority label (the median) is a flat optimum'
            : ': squared error on probabilities gives vanishing gradients for confidently wrong outputs'),
        fix:
          units > 1
            ? 'Use softmax with categoricalCrossentropy (sparseCategoricalCrossentropy for integer labels).'
            : 'Use a sigmoid output with binaryCrossentropy.',
      });
    }
    const range = RANGE[act];
    if (range && t.min !== null && t.max !== null && (t.min < range[0] - 1e-6 || t.max > range[1] + 1e-6)) {
      p.push({
        text: `a ${act} output can only produce [${range[0]}, ${range[1]}], but the targets span ${fmt.sci(t.min)}..${fmt.sci(t.max)}`,
        fix: "Use a linear output layer (or scale the targets into the output's range).",
      });
    }
    if (t.columns !== units && t.columns > 1)
      p.push({
        text: `${t.columns} target columns for ${units} output units`,
        fix: 'Give the output layer one unit per target column.',
      });
    return {
      expected: classLike(a, t)
        ? 'real-valued targets (these are class labels)'
        : `real values in ${units} column${units === 1 ? '' : 's'}`,
      problems: p,
    };
  }
  return { expected: 'targets this loss accepts', problems: p };
}

/** Head vs loss, independent of the targets. */
function checkHead(
  loss: string,
  units: number,
  act: string,
  a: Artifacts,
  t: TargetSummary | undefined,
): { expected: string; problems: Problem[] } {
  const p: Problem[] = [];
  if (CROSS_ENTROPY.has(loss)) {
    if (act === 'softmax' && units === 1)
      p.push({
        text: 'softmax over one unit always outputs 1.0',
        fix: 'Use sigmoid on one unit with binaryCrossentropy, or softmax over one unit per class.',
      });
    else if (act !== 'softmax' && act !== 'sigmoid')
      p.push({
        text: `${loss} on a ${act} output: cross-entropy needs probabilities`,
        fix: units === 1 ? 'End with a sigmoid.' : 'End with softmax over the class units.',
      });
    else if (loss !== 'binaryCrossentropy' && act === 'sigmoid' && units > 1)
      p.push({
        text: `sigmoid over ${units} units with ${loss}: the outputs are not a distribution`,
        fix: 'Use softmax for one class per sample.',
      });
    else if (loss === 'sparseCategoricalCrossentropy' && units === 1)
      p.push({
        text: 'sparseCategoricalCrossentropy over a single unit: there is only one class',
        fix: 'One unit per class with softmax.',
      });
    const expected =
      loss === 'binaryCrossentropy' ? 'sigmoid (one unit per label)' : 'softmax over one unit per class (>= 2)';
    return { expected, problems: p };
  }
  if (act === 'softmax' && classLike(a, t) === false)
    p.push({
      text: 'a softmax output for regression targets: the outputs are forced to sum to 1',
      fix: 'Use a linear output for regression.',
    });
  return { expected: 'linear (or an activation covering the target range)', problems: p };
}

export default defineAnalyzer({
  meta: {
    id: 'task-setup',
    title: 'Labels, output layer and loss agree',
    failureTitle: 'Labels, output layer and loss contradict each other',
    description:
      'Each loss expects a certain kind of target and output: binary cross-entropy 0/1 labels and sigmoid units, categorical ' +
      'cross-entropy one-hot rows and softmax, regression losses real values and a linear output. A mismatch often trains without an ' +
      'error and then learns the wrong thing, or reports a loss that means nothing (a negative cross-entropy).',
    requiredArtifacts: ['Model', 'Data'],
    gateLevel: 'error',
    repairs: ['match-output'],
  },
  thresholds: {
    negativeLoss: {
      default: -1e-3,
      source:
        'cross-entropy of probabilities against targets in [0, 1] is >= 0; below -1e-3 (beyond float rounding) the targets are outside [0, 1]',
    },
  },
  run(artifacts, { thresholds }) {
    const loss = artifacts.model.loss;
    const out = linkActivation(artifacts);
    if (!loss || !out) return notApplicable('no loss or output activation recorded');
    const units = artifacts.model.outputShape[artifacts.model.outputShape.length - 1] ?? 1;
    const t = artifacts.data.targetSummary;
    const head = checkHead(loss, units, out.activation, artifacts, t);
    const tgt = t ? checkTargets(loss, units, out.activation, t, artifacts) : null;
    const problems = [...head.problems, ...(tgt?.problems ?? [])];
    const lossSeries = (artifacts.history?.series['loss'] ?? []).filter((v): v is number => v !== null);
    const probeLosses = artifacts.gradients.map((g) => g.loss).filter((v): v is number => v !== null);
    const lowest = Math.min(...lossSeries, ...probeLosses);
    const negative = CROSS_ENTROPY.has(loss) && Number.isFinite(lowest) && lowest < thresholds.negativeLoss;
    if (negative) {
      problems.unshift({
        text: `${loss} went negative (${fmt.sci(lowest)}): impossible for targets in [0, 1], so the targets are not what the loss expects`,
        fix: problems[0]?.fix ?? 'Check the label encoding against the loss.',
      });
    }
    const rows: Row[] = [
      { aspect: 'loss', found: loss, expected: '', ok: true },
      {
        aspect: 'output head',
        found: `${out.activation} over ${units} unit${units === 1 ? '' : 's'} (${out.layer})`,
        expected: head.expected,
        ok: head.problems.length === 0,
      },
      {
        aspect: 'targets',
        found: t ? targetText(t) : `not recorded (task: ${artifacts.data.task})`,
        expected: tgt?.expected ?? 'n/a',
        ok: (tgt?.problems.length ?? 0) === 0,
      },
    ];
    if (Number.isFinite(lowest))
      rows.push({
        aspect: 'lowest loss seen',
        found: fmt.sci(lowest),
        expected: CROSS_ENTROPY.has(loss) ? '>= 0' : '>= 0',
        ok: !negative,
      });
    if (t)
      rows.push({
        aspect: 'constant predictor',
        found: `${constantPredictorText(artifacts)}: loss ${fmt.sci(t.constantLoss)}, accuracy ${fmt.sci(t.chanceAccuracy)}`,
        expected: 'a baseline to beat',
        ok: true,
      });
    // Every contradiction found here makes the loss measure something other than the task: each one fails.
    const score = problems.length ? 0.1 : SCORE.pass;
    return {
      score,
      numericValue: problems.length,
      numericUnit: 'contradictions between labels, output layer and loss',
      displayValue: problems.length
        ? problems.map((p) => p.text).join('; ')
        : `${out.activation} over ${units} unit${units === 1 ? '' : 's'}, ${loss}, ${t ? t.kind : artifacts.data.task} targets`,
      affectedLayers: problems.length ? [out.layer] : [],
      recommendation: problems.length ? [...new Set(problems.map((p) => p.fix))].join(' ') : null,
      evidence: [
        {
          kind: 'table',
          title: 'What was found vs what the loss expects',
          columns: [
            { key: 'aspect', label: 'Aspect' },
            { key: 'found', label: 'Found' },
            { key: 'expected', label: 'The loss expects' },
          ],
          rows: rows.map((r) => ({ aspect: r.aspect, found: r.found, expected: r.expected })),
          highlight: rows.flatMap((r, i) => (r.ok ? [] : [i])),
        },
      ],
    };
  },
});
