import type { ActivationEpoch, LayerActivation } from '../../artifacts/schema.js';
import { COLORS, renderSvg, SNAPSHOT_COLORS, shortLabel, titleBlock } from './echarts-svg.js';
import { shareWhere, sharedBins, steps } from './shared-bins.js';

/** |z| at which sigmoid/tanh are flat: the saturated-activations analyzer's threshold. */
export const SATURATION_Z = 5;

/** The activation functions we can draw, as plain math on z. */
const FUNCTIONS: Record<string, (z: number) => number> = {
  relu: (z) => Math.max(0, z),
  relu6: (z) => Math.min(6, Math.max(0, z)),
  elu: (z) => (z > 0 ? z : Math.expm1(z)),
  selu: (z) => 1.0507 * (z > 0 ? z : 1.67326 * Math.expm1(z)),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  hardSigmoid: (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5)),
  tanh: Math.tanh,
  softplus: (z) => Math.log1p(Math.exp(z)),
  softsign: (z) => z / (1 + Math.abs(z)),
  swish: (z) => z / (1 + Math.exp(-z)),
  linear: (z) => z,
};

/** Where an activation function stops passing a gradient: ReLU's dead half-line, the flat tails of squashing functions. */
function zone(act: string): { label: string; test: (z: number) => boolean; areas: Array<[number, number]> } | null {
  if (act === 'relu' || act === 'relu6')
    return { label: 'dead zone z <= 0', test: (z) => z <= 0, areas: [[-Infinity, 0]] };
  if (act === 'sigmoid' || act === 'tanh' || act === 'hardSigmoid' || act === 'softsign') {
    return {
      label: `saturated |z| >= ${SATURATION_Z}`,
      test: (z) => Math.abs(z) >= SATURATION_Z,
      areas: [
        [-Infinity, -SATURATION_Z],
        [SATURATION_Z, Infinity],
      ],
    };
  }
  return null;
}

const pct = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 1 : 0)}%`;

/**
 * Per layer: the activation function's curve over the layer's pre-activation distribution on the probe set,
 * first vs last probed epoch on shared bins, with the dead or saturated zone shaded and its share printed.
 * Layers without a recorded pre-activation show their output distribution instead.
 */
export function activationCurveChart(
  first: ActivationEpoch | undefined,
  last: ActivationEpoch,
  layer: string,
  width = 330,
  height = 200,
  name: (epoch: number) => string = (epoch) => `epoch ${epoch}`,
): string | null {
  const b = last.layers.find((l) => l.layer === layer);
  if (!b) return null;
  const a = first && first !== last ? (first.layers.find((l) => l.layer === layer) ?? null) : null;
  const hist = (l: LayerActivation | null) =>
    l ? (l.preActivation?.histogram ?? (b.preActivation ? null : l.histogram)) : null;
  const hb = hist(b);
  if (!hb) return null;
  const ha = hist(a);
  const shared = sharedBins(ha ? [ha, hb] : [hb]);
  const [ca, cb] = ha ? [shared.counts[0]!, shared.counts[1]!] : [null, shared.counts[0]!];
  const act = b.activation ?? 'linear';
  const onZ = b.preActivation !== null;
  const f = onZ ? FUNCTIONS[act] : undefined;
  const z = onZ ? zone(act) : null;
  const lo = shared.edges[0]!;
  const hi = shared.edges[shared.edges.length - 1]!;
  const shares = z ? [ca, cb].map((c) => (c ? pct(shareWhere(shared.edges, c, z.test)) : null)) : [];
  // A layer with no activation function (pooling, flatten, dropout) shows its output values; naming "linear"
  // there would invent an activation the model does not have.
  const sub = z
    ? `shaded: ${z.label} · ${ca ? `${shares[0]} at ${name(first!.epoch)}, ` : ''}${shares[1]} at ${name(last.epoch)}`
    : onZ
      ? `curve: ${act}(z)`
      : b.activation
        ? `distribution of ${b.activation} outputs`
        : 'no activation function';
  const { title, gridTop } = titleBlock(
    `${shortLabel(layer, 24)}: ${onZ ? `${act}(z) over z` : b.activation ? `output (${b.activation})` : 'output values'}`,
    sub,
    width,
    11,
  );
  const curve = f
    ? Array.from({ length: 61 }, (_, i) => {
        const x = lo + ((hi - lo) * i) / 60;
        return [x, f(x)];
      })
    : [];
  const areas = (z?.areas ?? [])
    .map(([x0, x1]): [{ xAxis: number }, { xAxis: number }] => [
      { xAxis: Math.max(lo, x0) },
      { xAxis: Math.min(hi, x1) },
    ])
    .filter(([p, q]) => p.xAxis < q.xAxis);
  return renderSvg(
    {
      title,
      legend: { bottom: 0, left: 'center', itemHeight: 6, textStyle: { fontSize: 9 } },
      grid: { left: 44, right: f ? 36 : 12, top: gridTop, bottom: 44 },
      xAxis: {
        type: 'value',
        min: lo,
        max: hi,
        axisLabel: { fontSize: 9, hideOverlap: true, formatter: tick(lo, hi) },
        splitLine: { show: false },
      },
      yAxis: [
        {
          type: 'value',
          axisLine: { onZero: false },
          axisLabel: { fontSize: 9 },
          splitLine: { lineStyle: { color: COLORS.grid } },
        },
        ...(f
          ? [
              {
                type: 'value' as const,
                position: 'right' as const,
                axisLine: { onZero: false },
                axisLabel: { fontSize: 9, color: COLORS.muted },
                splitLine: { show: false },
              },
            ]
          : []),
      ],
      series: [
        ...(ca
          ? [
              {
                type: 'line' as const,
                name: name(first!.epoch),
                data: steps(shared.edges, ca),
                showSymbol: false,
                areaStyle: { opacity: 0.15 },
                lineStyle: { width: 1 },
                color: SNAPSHOT_COLORS.first,
              },
            ]
          : []),
        // One colour per snapshot across the report (SNAPSHOT_COLORS): a lone snapshot (a loaded model) is the first.
        {
          type: 'line' as const,
          name: name(last.epoch),
          data: steps(shared.edges, cb),
          showSymbol: false,
          areaStyle: { opacity: 0.2 },
          lineStyle: { width: 1 },
          color: ca ? SNAPSHOT_COLORS.last : SNAPSHOT_COLORS.first,
          ...(areas.length
            ? {
                markArea: {
                  silent: true,
                  itemStyle: { color: 'rgba(128, 134, 139, 0.18)' },
                  label: { show: false },
                  data: areas,
                },
              }
            : {}),
        },
        ...(f
          ? [
              {
                type: 'line' as const,
                name: `${act}(z)`,
                yAxisIndex: 1,
                data: curve,
                showSymbol: false,
                lineStyle: { width: 1.5, color: COLORS.text },
                color: COLORS.text,
              },
            ]
          : []),
      ],
    },
    width,
    height,
  );
}

/**
 * Tick labels with as many decimals as the range needs: a narrow pre-activation range (-0.0495..-0.0485)
 * gets distinct labels instead of "-0.049" five times.
 */
export function tick(lo: number, hi: number): (v: number) => string {
  const span = Math.abs(hi - lo) || Math.abs(hi) || 1;
  const decimals = Math.max(0, Math.min(8, 2 - Math.floor(Math.log10(span))));
  return (v: number) => {
    if (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4 && span < 1e-3)) return v.toExponential(2);
    return String(Number(v.toFixed(decimals)));
  };
}
