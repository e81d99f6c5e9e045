import type { LayerInfo } from '../artifacts/schema.js';
import { defineAnalyzer, notApplicable, SCORE } from './support/define-analyzer.js';
import { trainedHere } from './support/artifact-helpers.js';

/** Score of a model built from the spec with frozen layers: a fail, not the worst one (the rest of the net still trains). */
const FROZEN_AT_INIT = 0.2;

/**
 * Layers whose weights never train (Keras/tfjs `trainable: false`). Freezing is how transfer learning keeps a
 * pretrained base, so a loaded model with frozen layers passes. A model built from the spec has no pretrained weights:
 * a frozen layer there keeps its random initialization for the whole run (a DeepCrime fault, "frozen layers"), so
 * any frozen layer fails — a categorical rule, no threshold. A model with no trainable weight at all fails anywhere.
 */
export default defineAnalyzer({
  meta: {
    id: 'frozen-layers',
    title: 'Every layer built for training is trainable',
    failureTitle: 'Layers are frozen at their initial weights',
    description:
      'A layer with trainable: false keeps the weights it starts with. That is right for a pretrained base, but a layer ' +
      'built from scratch keeps random weights: its features are noise the rest of the network has to work around.',
    requiredArtifacts: ['Model'],
    gateLevel: 'error',
  },
  thresholds: {},
  run(artifacts) {
    const m = artifacts.model;
    const weighted = m.layers.filter((l) => l.params > 0);
    if (weighted.length === 0) return notApplicable('no layers with weights');
    if (weighted.every((l) => l.trainable === undefined))
      return notApplicable('the artifacts do not record which layers are trainable');
    if (!trainedHere(artifacts))
      return notApplicable('no training in this audit: frozen weights only matter while training');
    const frozen = weighted.filter((l) => l.trainable === false);
    const frozenParams = frozen.reduce((a, l) => a + l.params, 0);
    const nothingTrains = m.trainableParams === 0;
    const fromScratch = m.source === 'trained';
    let score: number = SCORE.pass;
    let display: string;
    if (frozen.length === 0 && !nothingTrains) {
      display = `all ${weighted.length} layers with weights are trainable`;
    } else if (nothingTrains) {
      score = SCORE.fail;
      display = `no trainable weights: training changed nothing (${m.params} parameters, all frozen)`;
    } else if (fromScratch) {
      score = FROZEN_AT_INIT;
      display = `${names(frozen)} frozen at ${frozen.length === 1 ? 'its' : 'their'} random initialization: ${frozenParams} of ${m.params} parameters never train`;
    } else {
      display = `${names(frozen)} frozen (${frozenParams} of ${m.params} parameters keep their ${m.source === 'loaded' ? 'loaded' : 'given'} weights, as in transfer learning)`;
    }
    const failing = score < 0.9;
    return {
      score,
      numericValue: frozenParams,
      numericUnit: 'frozen parameters',
      displayValue: display,
      affectedLayers: failing ? frozen.map((l) => l.name) : [],
      recommendation: failing
        ? `Make ${names(frozen)} trainable (remove trainable: false, or set it true): ` +
          (fromScratch
            ? 'a layer built from the spec starts from random weights, and frozen it never learns. Freeze only layers that hold pretrained weights.'
            : 'with no trainable weight the optimizer has nothing to update.')
        : null,
      evidence: [
        {
          kind: 'table',
          title: 'Layers with weights',
          columns: [
            { key: 'layer', label: 'Layer' },
            { key: 'className', label: 'Class' },
            { key: 'params', label: 'Parameters' },
            { key: 'trainable', label: 'Trainable' },
          ],
          rows: weighted.map((l) => ({
            layer: l.name,
            className: l.className,
            params: l.params,
            trainable: l.trainable === false ? 'no (frozen)' : 'yes',
          })),
          highlight: weighted.flatMap((l, i) => (failing && l.trainable === false ? [i] : [])),
        },
      ],
    };
  },
});

function names(layers: LayerInfo[]): string {
  const shown = layers
    .slice(0, 4)
    .map((l) => l.name)
    .join(', ');
  return `${layers.length === 1 ? 'layer' : `${layers.length} layers`} ${shown}${layers.length > 4 ? ', ...' : ''}`;
}
