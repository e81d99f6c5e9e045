import type { Analyzer } from './support/define-analyzer.js';
import classImbalance from './class-imbalance.js';
import deadRelu from './dead-relu.js';
import dropoutRate from './dropout-rate.js';
import explodingGradients from './exploding-gradients.js';
import frozenLayers from './frozen-layers.js';
import labelNoise from './label-noise.js';
import learningRate from './learning-rate.js';
import missingBias from './missing-bias.js';
import missingNonlinearity from './missing-nonlinearity.js';
import nonFiniteValues from './non-finite-values.js';
import oscillatingLoss from './oscillating-loss.js';
import outputActivation from './output-activation.js';
import overfitting from './overfitting.js';
import saturatedActivations from './saturated-activations.js';
import taskSetup from './task-setup.js';
import underfitting from './underfitting.js';
import unnormalizedInputs from './unnormalized-inputs.js';
import vanishingGradients from './vanishing-gradients.js';

/** Every analyzer, sorted by id. Add a new one here and in test/analyzers/<id>.test.ts. */
export const ANALYZERS: readonly Analyzer[] = [
  classImbalance,
  deadRelu,
  dropoutRate,
  explodingGradients,
  frozenLayers,
  labelNoise,
  learningRate,
  missingBias,
  missingNonlinearity,
  nonFiniteValues,
  oscillatingLoss,
  outputActivation,
  overfitting,
  saturatedActivations,
  taskSetup,
  underfitting,
  unnormalizedInputs,
  vanishingGradients,
] as readonly Analyzer[];

export function findAnalyzer(id: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.meta.id === id);
}

export const ANALYZER_IDS = ANALYZERS.map((a) => a.meta.id);
