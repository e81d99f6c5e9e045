import type { Artifacts } from '../../artifacts/schema.js';
import type { Evidence } from '../../result/evidence.js';
import { kernelLayers, median, outputLayerName } from './artifact-helpers.js';

/** Per probed epoch: the first/last kernel-gradient ratio and the back-propagated (output-gradient) ratio. */
export interface FlowRatios {
  epochs: number[];
  kernelRatio: Array<number | null>;
  outputRatio: Array<number | null>;
  /** Layers with a non-zero kernel gradient at the last probe, input side first. */
  layers: string[];
  medianKernelRatio: number | null;
  medianOutputRatio: number | null;
  /** Median over epochs of the first layer's kernel mean |g|. */
  medianFirstMeanAbs: number | null;
  /** Largest kernel or bias gradient L2 norm seen. */
  maxNorm: number;
  zeroGradientLayers: string[];
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null || b == null || b === 0 || !Number.isFinite(a / b) ? null : a / b;

/**
 * Gradient-flow summary shared by the vanishing and exploding analyzers. Layers whose kernel gradient is
 * exactly zero are left out of the ratios: that is blocked flow (dead units), which dead-relu reports.
 */
export function flowRatios(a: Artifacts): FlowRatios {
  const epochs = a.gradients.map((g) => g.epoch);
  const live = (g: Artifacts['gradients'][number]) => kernelLayers(g).filter((l) => l.kernelNorm !== 0);
  const kernelRatio = a.gradients.map((g) => {
    const ls = live(g);
    return ls.length < 2 ? null : ratio(ls[0]!.kernelNorm, ls[ls.length - 1]!.kernelNorm);
  });
  // Back-propagated ratio between the first and the last *hidden* layer: the output layer's own gradient is
  // d(loss)/d(probability), ~1/p for a confident miss, on another scale altogether.
  const outputLayer = outputLayerName(a);
  const outputRatio = a.gradients.map((g) => {
    const ls = live(g).filter((l) => l.outputNorm !== null && l.outputNorm !== 0 && l.layer !== outputLayer);
    return ls.length < 2 ? null : ratio(ls[0]!.outputNorm, ls[ls.length - 1]!.outputNorm);
  });
  const lastProbe = a.gradients[a.gradients.length - 1];
  // Output gradients are left out: d(loss)/d(probability) of a confident wrong prediction is legitimately ~1/eps.
  const maxNorm = Math.max(
    0,
    ...a.gradients.flatMap((g) => g.layers.flatMap((l) => [l.kernelNorm ?? 0, l.biasNorm ?? 0])),
  );
  return {
    epochs,
    kernelRatio,
    outputRatio,
    layers: lastProbe ? live(lastProbe).map((l) => l.layer) : [],
    medianKernelRatio: median(kernelRatio.filter((r): r is number => r !== null)),
    medianOutputRatio: median(outputRatio.filter((r): r is number => r !== null)),
    medianFirstMeanAbs: median(
      a.gradients.flatMap((g) => {
        const f = live(g)[0];
        return f?.kernelMeanAbs != null ? [f.kernelMeanAbs] : [];
      }),
    ),
    maxNorm,
    zeroGradientLayers: lastProbe
      ? kernelLayers(lastProbe)
          .filter((l) => l.kernelNorm === 0)
          .map((l) => l.layer)
      : [],
  };
}

/** Evidence both gradient analyzers show: per-layer norms (first/last probe) and the layer x epoch heatmap. */
export function gradientEvidence(
  a: Artifacts,
  flow: FlowRatios,
  levels: Array<{ y: number; label: string }> = [],
): Evidence[] {
  const first = a.gradients[0];
  const last = a.gradients[a.gradients.length - 1];
  if (!first || !last) return [];
  const layers = kernelLayers(first).map((l) => l.layer);
  const normAt = (g: Artifacts['gradients'][number], layer: string) =>
    g.layers.find((l) => l.layer === layer)?.kernelNorm ?? null;
  const outAt = (g: Artifacts['gradients'][number], layer: string) =>
    g.layers.find((l) => l.layer === layer)?.outputNorm ?? null;
  return [
    {
      kind: 'table',
      title: 'Gradient L2 norms per layer (gradient of the mean probe loss)',
      columns: [
        { key: 'layer', label: 'Layer' },
        { key: 'k0', label: `Kernel grad, epoch ${first.epoch}` },
        { key: 'k1', label: `Kernel grad, epoch ${last.epoch}` },
        { key: 'o1', label: `Output grad, epoch ${last.epoch}` },
      ],
      rows: layers.map((layer) => ({
        layer,
        k0: normAt(first, layer),
        k1: normAt(last, layer),
        o1: outAt(last, layer),
      })),
      highlight: [],
    },
    {
      kind: 'series',
      title: 'First/last layer gradient-norm ratio per epoch',
      xLabel: 'epoch',
      yLabel: 'ratio (log scale)',
      logY: true,
      x: flow.epochs,
      series: [
        { name: 'kernel gradients', values: flow.kernelRatio },
        { name: 'back-propagated (output) gradients', values: flow.outputRatio },
      ],
      markers: [],
      regions: [],
      levels,
    },
    {
      kind: 'heatmap',
      title: 'Kernel gradient L2 norm, layer x epoch',
      xLabel: 'epoch',
      yLabel: 'layer',
      xLabels: a.gradients.map((g) => String(g.epoch)),
      yLabels: layers,
      values: layers.map((layer) => a.gradients.map((g) => normAt(g, layer))),
      // A large norm is not a fault by itself: neutral blues, not the alarm red.
      valueLabel: 'L2 norm',
      logScale: true,
      palette: 'magnitude',
    },
  ];
}
