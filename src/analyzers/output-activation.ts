import { defineAnalyzer, notApplicable } from './support/define-analyzer.js';
import type { Artifacts } from '../artifacts/schema.js';
import { lastActivations } from './support/artifact-helpers.js';

const CROSS_ENTROPY = new Set(['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy']);

/**
 * The activation the network's output passes through last: the last layer's own activation, or that of
 * the nearest earlier layer when the last ones have none (Dropout, Flatten, ...). Keras models often end
 * in Dense(linear) + Activation(softmax).
 */
export function outputActivation(a: Artifacts): { layer: string; activation: string } | null {
  const layers = a.model.layers.filter((l) => l.className !== 'InputLayer');
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (l.activation !== null) return { layer: l.name, activation: l.activation };
  }
  return null;
}

/**
 * The link the loss applies to the outputs: a logits model's loss applies its own softmax (categorical losses) or
 * sigmoid (binary cross-entropy) to the raw outputs, so that is the activation the targets meet; for any other model,
 * the graph's own output activation.
 */
export function linkActivation(a: Artifacts): { layer: string; activation: string } | null {
  const out = outputActivation(a);
  if (!a.model.fromLogits) return out;
  const layer = out?.layer ?? a.model.layers[a.model.layers.length - 1]?.name ?? 'output';
  return { layer, activation: a.model.loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax' };
}

/** How the result says where fromLogits came from, for the report's text. */
const LOGITS_SOURCE: Record<string, string> = {
  stated: 'as stated (fromLogits / --from-logits)',
  saved: 'as the saved loss says (from_logits=True)',
  detected: 'detected: the graph ends without softmax/sigmoid',
};

export default defineAnalyzer({
  meta: {
    id: 'output-activation',
    title: 'The output activation fits the loss',
    failureTitle: 'The output activation does not fit the loss',
    description:
      'Cross-entropy needs probabilities: softmax over two or more units, or sigmoid. Softmax over a single unit always ' +
      'outputs 1.0, so the model predicts a constant and cannot learn; ReLU or linear outputs give log(0) or values above 1.',
    requiredArtifacts: ['Model'],
    gateLevel: 'error',
    failFast: {
      probes: 1,
      reason: 'the output activation and loss are fixed by the model: training cannot change them',
    },
    repairs: ['match-output'],
  },
  thresholds: {
    constantStd: {
      default: 1e-6,
      source: 'ours: an output whose spread across the probe set is below 1e-6 is constant to float32 precision',
    },
  },
  run(artifacts, { thresholds }) {
    const out = outputActivation(artifacts);
    const loss = artifacts.model.loss;
    const units = artifacts.model.outputShape[artifacts.model.outputShape.length - 1] ?? 1;
    if (!out || !loss) return notApplicable('no output activation or loss recorded');
    const lastLayer = lastActivations(artifacts)?.layers.find((l) => l.layer === out.layer);
    const outStd = lastLayer ? Math.max(...lastLayer.unitStd) : null;
    // A constant output from dead or saturated layers is theirs to report; here it only confirms a wrong activation.
    const constant = outStd !== null && outStd < thresholds.constantStd;
    const problems: string[] = [];
    let fix = '';
    const logits = artifacts.model.fromLogits === true;
    const link = loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
    if (logits && ['softmax', 'sigmoid'].includes(out.activation)) {
      // The classic PyTorch bug: a softmax (or sigmoid) layer before CrossEntropyLoss (BCEWithLogitsLoss), which applies it again.
      problems.push(
        `the loss takes logits and applies ${link} itself, but the graph already ends in ${out.activation} (${out.layer}): ` +
          `a double ${out.activation === link ? link : `${out.activation} + ${link}`} squeezes every output into a narrow band, so the loss cannot reach 0 and its gradients shrink`,
      );
      fix =
        `Remove the final ${out.activation} from the model (PyTorch's CrossEntropyLoss and BCEWithLogitsLoss apply it themselves; apply it at inference only), ` +
        'or train with a loss on probabilities (NLLLoss on log_softmax; Keras from_logits=False).';
    } else if (logits && CROSS_ENTROPY.has(loss) && out.activation !== 'linear') {
      problems.push(
        `${loss} on logits, but the output layer ${out.layer} applies ${out.activation} first: its outputs are not logits`,
      );
      fix = 'End with a linear layer when the loss takes logits.';
    } else if (logits) {
      // A linear output with a logits loss is right: nothing to report.
    } else if (out.activation === 'softmax' && units === 1) {
      problems.push(
        `softmax over a single unit in ${out.layer}: its output is always 1.0${constant ? ' (measured: constant on every probe sample)' : ''}`,
      );
      fix =
        loss === 'binaryCrossentropy' || loss === 'categoricalCrossentropy'
          ? 'Use sigmoid on the single output unit with binaryCrossentropy, or softmax over one unit per class with categoricalCrossentropy.'
          : 'Use one output unit per class with softmax, or sigmoid on a single unit.';
    } else if (CROSS_ENTROPY.has(loss) && !['softmax', 'sigmoid'].includes(out.activation)) {
      problems.push(
        `${loss} on a ${out.activation} output in ${out.layer}: cross-entropy needs probabilities in (0, 1)`,
      );
      fix = units === 1 ? 'End with a sigmoid on the output unit.' : 'End with softmax over the class units.';
    } else if (loss === 'categoricalCrossentropy' && out.activation === 'sigmoid' && units > 1) {
      problems.push(
        `sigmoid over ${units} units with categoricalCrossentropy: the outputs need not sum to 1, so they are not a class distribution`,
      );
      fix = 'Use softmax for mutually exclusive classes (or binaryCrossentropy for multi-label outputs).';
    } else if (artifacts.data.task === 'regression' && ['softmax', 'sigmoid'].includes(out.activation)) {
      problems.push(`a ${out.activation} output for a regression target: predictions are squeezed into (0, 1)`);
      fix = 'Use a linear output for regression (scale the target instead if you need a bounded output).';
    }
    const failed = problems.length > 0;
    return {
      score: failed ? 0 : 1,
      numericValue: outStd,
      numericUnit: 'largest output-unit std across the probe set',
      displayValue: failed
        ? problems.join('; ')
        : logits
          ? `logits over ${units} unit${units === 1 ? '' : 's'}, ${loss} computed from logits (${link} inside the loss; ${LOGITS_SOURCE[artifacts.model.fromLogitsSource ?? 'stated'] ?? 'as stated'})`
          : `${out.activation} output over ${units} unit${units === 1 ? '' : 's'} with ${loss}`,
      affectedLayers: failed ? [out.layer] : [],
      recommendation: failed ? fix : null,
      evidence: [
        {
          kind: 'table',
          title: 'Output layer',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'activation', label: 'Activation' },
            { key: 'units', label: 'Units' },
            { key: 'loss', label: 'Loss' },
            { key: 'std', label: 'Output spread (std)' },
          ],
          rows: [
            {
              layer: out.layer,
              activation: out.activation,
              units,
              loss: logits ? `${loss} (from logits)` : loss,
              std: outStd,
            },
          ],
          highlight: failed ? [0] : [],
        },
      ],
    };
  },
});
