import type { Artifacts, GradientEpoch, LayerActivation, History } from '../../src/artifacts/schema.js';
import { ARTIFACTS_VERSION } from '../../src/artifacts/schema.js';

/** Hand-written artifacts for analyzer tests: a 3-layer MLP with neutral, healthy-looking measurements. */
export function makeArtifacts(over: Partial<Artifacts> = {}): Artifacts {
  const layers = ['dense_1', 'dense_2', 'dense_3'];
  return {
    artifactsVersion: ARTIFACTS_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    backend: { name: 'cpu', reason: 'test', tfjsVersion: '4.22.0' },
    seed: 1,
    model: {
      name: 'test',
      source: 'trained',
      location: null,
      inputShape: [null, 2],
      outputShape: [null, 1],
      params: 100,
      trainableParams: 100,
      layers: layers.map((name, i) => ({
        name,
        className: 'Dense',
        activation: i === 2 ? 'sigmoid' : 'relu',
        outputShape: [null, i === 2 ? 1 : 4],
        params: 10,
        inputs: i ? [layers[i - 1]!] : ['input'],
        units: i === 2 ? 1 : 4,
      })),
      graph: { nodes: [], edges: [] },
      loss: 'binaryCrossentropy',
      optimizer: { name: 'adam', learningRate: 0.01 },
    },
    data: {
      source: 'test',
      task: 'classification',
      numClasses: 2,
      trainSize: 100,
      validationSize: 50,
      probeSize: 50,
      normalize: 'standardize',
      featureRange: { min: -2, max: 2, meanAbs: 0.8 },
      chanceAccuracy: 0.5,
      trivialLoss: Math.log(2),
    },
    history: null,
    gradients: [],
    weights: [],
    activations: [],
    timing: {},
    warnings: [],
    ...over,
  };
}

export function gradientEpoch(
  epoch: number,
  kernelNorms: Array<number | null>,
  extra: Partial<GradientEpoch['layers'][number]> = {},
): GradientEpoch {
  return {
    epoch,
    loss: 0.5,
    layers: kernelNorms.map((k, i) => ({
      layer: `dense_${i + 1}`,
      kernelNorm: k,
      kernelMeanAbs: k === null ? null : k / 10,
      biasNorm: k === null ? null : k / 2,
      biasMeanAbs: k === null ? null : k / 20,
      outputNorm: k,
      outputMeanAbs: k === null ? null : k / 10,
      nonFinite: 0,
      ...extra,
    })),
  };
}

const stats = (nonFinite = 0) => ({ count: 10, mean: 0, std: 1, min: -1, max: 1, nonFinite });

export function activationLayer(
  layer: string,
  activation: string,
  nonPositive: number[],
  saturated: number[] | null = null,
  nonFinite = 0,
): LayerActivation {
  return {
    layer,
    activation,
    stats: stats(nonFinite),
    histogram: null,
    preActivation: saturated ? { stats: stats(), histogram: { edges: [-1, 0, 1], counts: [5, 5] } } : null,
    unitNonPositiveFraction: nonPositive,
    unitSaturatedFraction: saturated,
    unitStd: nonPositive.map(() => 1),
  };
}

export function history(series: Record<string, number[]>): History {
  const n = Object.values(series)[0]!.length;
  return { epochs: Array.from({ length: n }, (_, i) => i + 1), series };
}

/** A smooth decaying curve from `start` to `end` over n epochs. */
export function decay(n: number, start: number, end: number): number[] {
  return Array.from({ length: n }, (_, i) => end + (start - end) * Math.exp(-i / (n / 5)));
}

/**
 * The least-squares reference of a one-feature regression on 600 training and 200 validation rows, with the given
 * losses (what gather's linear fit records for such data).
 */
export function regressionLinearFit(fit: {
  train: number;
  validation: number;
  constant: number;
}): NonNullable<Artifacts['data']['linearFit']> {
  return {
    method: 'least squares',
    task: 'regression',
    rowsFrom: 'training rows',
    rows: 600,
    features: 1,
    classes: 0,
    targets: 1,
    validationRows: 200,
    trainAccuracy: null,
    validationAccuracy: null,
    trainLoss: fit.train,
    loss: 'meanSquaredError',
    validationLoss: fit.validation,
    constantLoss: fit.constant,
    ms: 1,
    skipped: null,
  };
}
