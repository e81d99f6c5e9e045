import type { AuditResult } from '../../result/schema.js';
import {
  labelInterval,
  logAxis,
  renderSvg,
  sampleEvenly,
  shortLabel,
  snapshotColor,
  titleBlock,
} from './echarts-svg.js';
import { heatmapChart, PALETTES, yRange } from './evidence-chart.js';
import { snapshotName } from './snapshots.js';

/** Kernel-gradient norm per layer at the first, middle and last probed epoch (log scale); a note when all are 0. */
export function gradientFlow(r: AuditResult, width: number): { svg: string | null; note: string | null } {
  const g = r.measurements.gradients;
  if (g.length === 0) return { svg: null, note: null };
  const picks = [
    ...new Map([g[0]!, g[Math.floor((g.length - 1) / 2)]!, g[g.length - 1]!].map((e) => [e.epoch, e])).values(),
  ];
  const layers = g[0]!.layers.filter((l) => l.kernelNorm !== null).map((l) => l.layer);
  if (layers.length === 0) return { svg: null, note: null };
  const shown = sampleEvenly(layers, 40);
  const anyPositive = picks.some((e) => e.layers.some((x) => (x.kernelNorm ?? 0) > 0));
  if (!anyPositive) {
    return {
      svg: null,
      note: `Gradient flow: every kernel gradient is exactly 0 at epochs ${picks.map((e) => e.epoch).join(', ')}, so nothing reaches the weights and a log-scale chart would be empty. See the findings for why (dead units, a constant output).`,
    };
  }
  const rotate = shown.length > 6 ? 35 : 0;
  const zeros = picks.flatMap((e) =>
    shown
      .filter((l) => e.layers.find((x) => x.layer === l)?.kernelNorm === 0)
      .map((l) => `${l} (${snapshotName(r)(e.epoch)})`),
  );
  const { title, gridTop } = titleBlock(
    width < 400
      ? 'Gradient flow: kernel-gradient L2 norm'
      : 'Gradient flow: kernel-gradient L2 norm per layer (input side left)',
    zeros.length
      ? `exactly 0, not drawn on the log scale: ${zeros.slice(0, 4).join(', ')}${zeros.length > 4 ? ` and ${zeros.length - 4} more` : ''}`
      : null,
    680,
  );
  return {
    note: null,
    svg: renderSvg(
      {
        title,
        legend: { bottom: 0, left: 'center', textStyle: { fontSize: width < 400 ? 9 : 11 } },
        grid: { left: 64, right: 20, top: gridTop, bottom: rotate ? 110 : 56 },
        // A deep model's layer names are thinned rather than drawn over each other (labelInterval says why).
        xAxis: {
          type: 'category',
          data: shown.map((l) => shortLabel(l)),
          axisLabel: {
            rotate,
            interval: rotate ? labelInterval(shown.length, width - 64 - 20, rotate) : 0,
            fontSize: 10,
          },
        },
        // Whole decades around the data: ECharts' own log extent ran from 1e-20 with half the plot empty.
        yAxis: {
          ...logAxis('L2 norm (log)'),
          ...yRange(
            '',
            true,
            picks
              .flatMap((e) => shown.map((l) => e.layers.find((x) => x.layer === l)?.kernelNorm ?? 0))
              .filter((v) => v > 0),
          ),
        },
        // First, middle, last: the last epoch keeps the colour it has in the activation and weight charts.
        series: picks.map((e, i) => ({
          type: 'line',
          name: snapshotName(r)(e.epoch),
          color: snapshotColor(i, picks.length),
          symbolSize: 5,
          data: shown.map((l) => {
            const v = e.layers.find((x) => x.layer === l)?.kernelNorm ?? null;
            return v !== null && v > 0 ? v : null;
          }),
        })),
      },
      width,
      rotate ? 320 : width < 400 ? 210 : 240,
    ),
  };
}

export function gradientHeatmap(r: AuditResult): string | null {
  const g = r.measurements.gradients;
  if (g.length < 2) return null;
  const layers = g[0]!.layers.filter((l) => l.kernelNorm !== null).map((l) => l.layer);
  if (layers.length === 0) return null;
  // A large gradient is not a fault by itself: magnitude gets neutral blues, not the alarm red.
  return heatmapChart(
    {
      kind: 'heatmap',
      title: 'Kernel-gradient L2 norm, layer x epoch',
      xLabel: 'epoch',
      yLabel: 'layer',
      xLabels: g.map((e) => String(e.epoch)),
      yLabels: layers,
      values: layers.map((l) => g.map((e) => e.layers.find((x) => x.layer === l)?.kernelNorm ?? null)),
      valueLabel: 'L2 norm',
      logScale: true,
      palette: 'magnitude',
    },
    64,
    30,
    PALETTES.magnitude,
  );
}
