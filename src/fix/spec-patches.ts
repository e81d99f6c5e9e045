/**
 * Candidate repairs as pure spec patches. Each returns a new spec, or null when it would change nothing (so a
 * repair that does not apply is never retrained). Analyzers name the ones that fit their finding (meta.repairs).
 */
import type { RepairId } from '../analyzers/support/define-analyzer.js';
import type { LayerSpec, Spec } from '../config/spec-schema.js';
import {
  hiddenBlocks,
  initName,
  isWeighted,
  LARGE_OR_ODD_INIT,
  mapHidden,
  outputIndex,
  RELU,
  reluLayers,
  sameJson,
  scaleLearningRate,
  SQUASHING,
  train,
  withTrain,
} from './spec-walk.js';

/** A candidate repair: a spec patch that `nnaudit fix` retrains with to verify it clears the finding. */
export interface Repair {
  id: RepairId;
  /** What the patch changes, e.g. "heNormal kernels and zero biases on ReLU layers". */
  title: string;
  /** The patched spec, or null when the patch does not apply to this spec (nothing to change). */
  patch(spec: Spec): Spec | null;
}

export const REPAIRS = {
  heInit: {
    id: 'he-init',
    title: 'heNormal kernels and zero biases on ReLU layers',
    patch(spec) {
      const t = train(spec);
      if (!t) return null;
      const relu = reluLayers(t);
      const layers = t.layers.map((l, i) =>
        relu.has(i) && isWeighted(l)
          ? { ...l, kernelInitializer: 'heNormal' as const, biasInitializer: 'zeros' as const }
          : l,
      );
      return sameJson(layers, t.layers) ? null : withTrain(spec, { ...t, layers });
    },
  },
  leakyRelu: {
    id: 'leaky-relu',
    title: 'leakyRelu (alpha 0.1) instead of relu',
    patch: (spec) =>
      mapHidden(spec, (l) =>
        RELU.has(l.activation)
          ? [
              { ...l, activation: 'linear' },
              { type: 'leakyRelu', alpha: 0.1 },
            ]
          : null,
      ),
  },
  batchNorm: {
    id: 'batch-norm',
    title: 'batchNormalization between each hidden layer and its activation',
    patch(spec) {
      const t = train(spec);
      if (!t || t.layers.some((l) => l.type === 'batchNormalization')) return null;
      return mapHidden(spec, (l) => [
        { ...l, activation: 'linear' },
        { type: 'batchNormalization', trainable: true },
        ...(l.activation === 'linear' ? [] : [{ type: 'activation' as const, activation: l.activation }]),
      ]);
    },
  },
  lrDown: { id: 'lr-down', title: 'learning rate / 10', patch: scaleLearningRate(0.1) },
  lrUp: { id: 'lr-up', title: 'learning rate x 10', patch: scaleLearningRate(10) },
  clipGradients: {
    id: 'clip-gradients',
    title: 'gradient clipping (clipnorm 1)',
    patch(spec) {
      const t = train(spec);
      if (!t || (t.optimizer.clipnorm !== undefined && t.optimizer.clipnorm <= 1)) return null;
      return withTrain(spec, { ...t, optimizer: { ...t.optimizer, clipnorm: 1 } });
    },
  },
  standardizeInputs: {
    id: 'standardize-inputs',
    title: 'standardize the inputs (data.normalize: standardize)',
    patch: (spec) =>
      train(spec) && spec.data.normalize !== 'standardize'
        ? { ...spec, data: { ...spec.data, normalize: 'standardize' } }
        : null,
  },
  matchOutput: {
    id: 'match-output',
    title: 'the output activation (and loss) that fit each other',
    patch(spec) {
      const t = train(spec);
      if (!t) return null;
      const out = outputIndex(t.layers);
      const head = t.layers[out];
      if (!head || head.type !== 'dense') return null;
      const ce = t.loss !== 'meanSquaredError' && t.loss !== 'meanAbsoluteError';
      // The task the spec declares decides between a classification and a regression head; without one, the loss does.
      const declared = 'task' in spec.data ? spec.data.task : undefined;
      let activation = head.activation;
      let loss = t.loss;
      if (declared === 'regression' || (declared === undefined && !ce)) {
        activation = SQUASHING.has(activation) || activation === 'softmax' ? 'linear' : activation;
        if (ce) loss = 'meanSquaredError';
      } else if (head.units === 1) {
        activation = 'sigmoid';
        loss = 'binaryCrossentropy';
      }
      // Several sigmoid units with binary cross-entropy is a multi-label head: it fits as it is.
      else if (!(activation === 'sigmoid' && loss === 'binaryCrossentropy')) {
        activation = 'softmax';
        if (loss !== 'sparseCategoricalCrossentropy') loss = 'categoricalCrossentropy';
      }
      if (activation === head.activation && loss === t.loss) return null;
      const layers = t.layers.map((l, i) => (i === out ? { ...head, activation } : l));
      return withTrain(spec, { ...t, layers, loss });
    },
  },
  fewerLayers: {
    id: 'fewer-layers',
    title: 'two hidden layers instead of a deep stack',
    patch(spec) {
      const t = train(spec);
      const b = t ? hiddenBlocks(t) : null;
      if (!t || !b || b.blocks.length <= 2) return null;
      return withTrain(spec, { ...t, layers: [...b.blocks.slice(0, 2).flat(), ...b.head] });
    },
  },
  reluHe: {
    id: 'relu-he',
    title: 'relu with heNormal initialization instead of sigmoid/tanh hidden layers',
    patch: (spec) =>
      mapHidden(spec, (l) =>
        SQUASHING.has(l.activation)
          ? [{ ...l, activation: 'relu', kernelInitializer: 'heNormal', biasInitializer: 'zeros' }]
          : null,
      ),
  },
  reluHidden: {
    id: 'relu-hidden',
    title: 'relu with heNormal initialization on the linear hidden layers',
    // Only a hidden layer whose output nothing non-linear follows: a linear dense before an Activation or LeakyReLU layer is fine.
    patch(spec) {
      const t = train(spec);
      if (!t) return null;
      const out = outputIndex(t.layers);
      const layers = t.layers.map((l, i) => {
        const next = t.layers[i + 1];
        const followed =
          next !== undefined &&
          (next.type === 'activation' || next.type === 'leakyRelu' || next.type === 'batchNormalization');
        return i < out && isWeighted(l) && l.activation === 'linear' && !followed
          ? {
              ...l,
              activation: 'relu' as const,
              kernelInitializer: 'heNormal' as const,
              biasInitializer: 'zeros' as const,
            }
          : l;
      });
      return sameJson(layers, t.layers) ? null : withTrain(spec, { ...t, layers });
    },
  },
  glorotInit: {
    id: 'glorot-init',
    title: 'glorotUniform kernels instead of large random initial weights',
    patch(spec) {
      const t = train(spec);
      if (!t) return null;
      const layers = t.layers.map((l) => {
        if (!isWeighted(l) || !LARGE_OR_ODD_INIT.has(initName(l.kernelInitializer) ?? '')) return l;
        const { kernelInitializer: _dropped, ...rest } = l;
        return rest as LayerSpec;
      });
      return sameJson(layers, t.layers) ? null : withTrain(spec, { ...t, layers });
    },
  },
  addHiddenLayers: {
    id: 'add-hidden-layers',
    title: 'two hidden relu layers of 64 units (the model has none)',
    patch(spec) {
      const t = train(spec);
      if (!t || outputIndex(t.layers) !== 0 || t.layers[0]!.type !== 'dense') return null;
      const hidden: LayerSpec = {
        type: 'dense',
        units: 64,
        activation: 'relu',
        kernelInitializer: 'heNormal',
        useBias: true,
        trainable: true,
      };
      return withTrain(spec, { ...t, layers: [hidden, { ...hidden }, ...t.layers] });
    },
  },
  adam: {
    id: 'adam',
    title: 'Adam at learning rate 0.001 (the Keras default)',
    patch(spec) {
      const t = train(spec);
      if (!t || t.optimizer.name === 'adam') return null;
      return withTrain(spec, {
        ...t,
        optimizer: {
          name: 'adam',
          learningRate: 0.001,
          ...(t.optimizer.clipnorm ? { clipnorm: t.optimizer.clipnorm } : {}),
        },
      });
    },
  },
  moreEpochs: {
    id: 'more-epochs',
    title: 'three times as many epochs',
    patch: (spec) => {
      const t = train(spec);
      return t && t.epochs * 3 <= 10_000 ? withTrain(spec, { ...t, epochs: t.epochs * 3 }) : null;
    },
  },
  fewerEpochs: {
    id: 'fewer-epochs',
    title: 'a fifth of the epochs (stop before memorizing)',
    patch: (spec) => {
      const t = train(spec);
      return t && t.epochs >= 10 ? withTrain(spec, { ...t, epochs: Math.round(t.epochs / 5) }) : null;
    },
  },
  dropout: {
    id: 'dropout',
    title: 'dropout 0.3 after each hidden layer',
    patch(spec) {
      const t = train(spec);
      if (!t || t.layers.some((l) => l.type === 'dropout')) return null;
      return mapHidden(spec, (l) => [l, { type: 'dropout', rate: 0.3 }]);
    },
  },
  smallerLayers: {
    id: 'smaller-layers',
    title: 'a quarter of the units in each hidden layer',
    patch: (spec) =>
      mapHidden(spec, (l) => (l.type === 'dense' && l.units >= 32 ? [{ ...l, units: Math.round(l.units / 4) }] : null)),
  },
} satisfies Record<string, Repair>;

export const ALL_REPAIRS: readonly Repair[] = Object.values(REPAIRS);

/** The catalogue by id (the spec-patches test checks every id an analyzer names has its patch). */
export const REPAIR_BY_ID = Object.fromEntries(ALL_REPAIRS.map((r) => [r.id, r])) as Record<RepairId, Repair>;
