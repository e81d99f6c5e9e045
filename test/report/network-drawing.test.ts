import { describe, expect, it } from 'vitest';
import { FADED_OPACITY, NETWORK_COLORS, networkDrawing } from '../../src/report/graph/network-drawing.js';
import { LINE_BUDGET, MAX_K, perUnitLimit, planNetwork, SAMPLE_UNITS } from '../../src/report/graph/network-plan.js';
import { strongestInputs } from '../../src/gather/train/strongest-inputs.js';
import { STRONGEST_K } from '../../src/artifacts/schema.js';
import type { AuditResult } from '../../src/result/schema.js';
import { sampleResult } from '../helpers/results.js';

interface LayerSpec {
  units: number;
  activation: string;
  /** Per unit: share of probe samples with output <= 0 (1 = dead). */
  nonPositive?: number[];
  /** Per unit: share of probe samples with |z| >= 5. */
  saturated?: number[];
}

/** kernel(c, i, j): layer c's weight from input i to unit j. Default: distinct, mixed-sign weights. */
type Kernel = (c: number, i: number, j: number) => number;
const mixed: Kernel = (c, i, j) => (((i * 7 + j * 3 + c) % 11) - 5) / 5 + (i === j ? 0.5 : 0);

/**
 * A small dense-chain result built on the healthy sample's frame: only the fields the drawing reads are replaced.
 * Kernels up to 64 a side are recorded whole (values), wider ones as their strongest inputs, as gather records them.
 */
function net(
  inputs: number,
  layers: LayerSpec[],
  opts: { kernel?: Kernel; featureNames?: string[] } = {},
): AuditResult {
  const r = sampleResult('healthy');
  const kernel = opts.kernel ?? mixed;
  const names = layers.map((_, c) => `dense_${c + 1}`);
  r.model.inputShape = [null, inputs];
  r.model.layers = layers.map((l, c) => ({
    name: names[c]!,
    className: 'Dense',
    activation: l.activation,
    outputShape: [null, l.units],
    params: 0,
    inputs: c === 0 ? [] : [names[c - 1]!],
    units: l.units,
    trainable: true,
    bias: true,
    dropoutRate: null,
  }));
  const template = r.measurements.activations[0]!.layers[0]!;
  r.measurements.activations = [
    {
      epoch: 5,
      layers: layers.map((l, c) => ({
        ...template,
        layer: names[c]!,
        activation: l.activation,
        unitNonPositiveFraction: l.nonPositive ?? Array(l.units).fill(0.3),
        unitSaturatedFraction: l.saturated ?? Array(l.units).fill(0),
        unitStd: Array(l.units).fill(1),
      })),
    },
  ];
  const statsTemplate = r.measurements.weights[0]!.weights[0]!.stats;
  r.measurements.weights = [
    {
      epoch: 5,
      weights: layers.map((l, c) => {
        const rows = c === 0 ? inputs : layers[c - 1]!.units;
        const values = Array.from({ length: rows * l.units }, (_, n) =>
          kernel(c, Math.floor(n / l.units), n % l.units),
        );
        const small = rows <= 64 && l.units <= 64;
        return {
          layer: names[c]!,
          weight: 'kernel',
          shape: [rows, l.units],
          stats: statsTemplate,
          histogram: null,
          updateRatio: null,
          ...(small ? { values } : { strongest: strongestInputs(values, rows, l.units, STRONGEST_K) }),
        };
      }),
    },
  ];
  if (opts.featureNames) r.data.featureNames = opts.featureNames;
  else delete r.data.featureNames;
  return r;
}

const lines = (svg: string) => (svg.match(/<line [^>]*\/>/g) ?? []).filter((l) => !l.includes('data-legend'));
const circles = (svg: string) => (svg.match(/<circle [^>]*\/>/g) ?? []).filter((c) => !c.includes('data-legend'));
const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('network picture: which lines are drawn', () => {
  it('a small network is drawn whole: every connection one line', () => {
    const d = networkDrawing(
      net(3, [
        { units: 5, activation: 'relu' },
        { units: 2, activation: 'sigmoid' },
      ]),
    )!;
    expect(lines(d.svg)).toHaveLength(3 * 5 + 5 * 2);
    expect(d.caption).not.toContain('strongest');
  });

  it('a 32x32 pair keeps only each unit’s strongest inputs, within the line budget, and the caption says how many', () => {
    const r = net(2, [
      { units: 32, activation: 'relu' },
      { units: 32, activation: 'relu' },
      { units: 1, activation: 'sigmoid' },
    ]);
    const d = networkDrawing(r)!;
    const drawn = lines(d.svg).length;
    expect(drawn).toBeLessThanOrEqual(LINE_BUDGET);
    // 2 x 32 and 32 x 1 are drawn whole; the 32x32 pair gets k lines per unit.
    const k = perUnitLimit(planNetwork(r)!.columns);
    expect(k).toBe(MAX_K);
    expect(drawn).toBe(64 + 32 * k + 32);
    expect(d.caption).toContain(`dense_2: strongest ${k} of 32 inputs per unit`);
    // The kept lines are the strongest: unit 0 of dense_2 gets its k largest |w| among the 32.
    const plan = planNetwork(r)!;
    const kept = plan.edges[1]!.filter((e) => e.to === 0).map((e) => Math.abs(e.w));
    const all = Array.from({ length: 32 }, (_, i) => Math.abs(mixed(1, i, 0))).sort((a, b) => b - a);
    expect(kept.sort((a, b) => b - a)).toEqual(all.slice(0, k));
  });

  it('a 256-unit layer is drawn as a sample, its strongest inputs recorded and drawn, and the caption says so', () => {
    const r = net(12, [
      { units: 256, activation: 'relu' },
      { units: 256, activation: 'relu' },
      { units: 1, activation: 'sigmoid' },
    ]);
    expect(r.measurements.weights[0]!.weights[1]!.strongest?.k).toBe(STRONGEST_K);
    const plan = planNetwork(r)!;
    expect(plan.columns.map((c) => c.shown.length)).toEqual([12, SAMPLE_UNITS, SAMPLE_UNITS, 1]);
    const d = networkDrawing(r)!;
    expect(d.caption).toMatch(/Units drawn: dense_1 32 of 256 \((\d+ )?most strongly connected to the next layer/);
    // The single output unit leans on 4 units of dense_2: the other 28 drawn are spread evenly, and the caption says so.
    expect(d.caption).toContain('dense_2 32 of 256 (4 most strongly connected to the next layer, 28 evenly spaced)');
    expect(d.caption).toContain(`dense_2: strongest ${STRONGEST_K} of 256 inputs per unit`);
    expect(texts(d.svg)).toContain('32 of 256 units · relu');
    // The sampled layer shows the units the next layer leans on: lines between the two samples are drawn.
    expect(plan.edges[1]!.length).toBeGreaterThan(SAMPLE_UNITS);
    expect(lines(d.svg).length).toBeLessThanOrEqual(LINE_BUDGET);
  });

  it('the strongest inputs of a wide kernel are the largest |w| per unit, strongest first', () => {
    // 3 inputs x 2 units, row-major: unit 0 has weights [1, -5, 2], unit 1 has [0.5, 0.1, -0.2].
    const s = strongestInputs([1, 0.5, -5, 0.1, 2, -0.2], 3, 2, 2);
    expect(s).toEqual({ k: 2, inputs: [1, 2, 0, 2], values: [-5, 2, 0.5, -0.2] });
  });
});

describe('network picture: marks and colours', () => {
  const deadNet = () =>
    net(2, [
      { units: 4, activation: 'relu', nonPositive: [1, 0.2, 1, 0.5] },
      { units: 3, activation: 'tanh', saturated: [0.9, 0, 0.6] },
      { units: 1, activation: 'sigmoid', saturated: [1] },
    ]);

  it('lines out of a dead unit are faded, the others are not', () => {
    const d = networkDrawing(deadNet())!;
    const faded = lines(d.svg).filter((l) => l.includes('data-faded'));
    expect(faded).toHaveLength(2 * 3); // dead units 0 and 2 of dense_1, 3 lines each into dense_2
    for (const l of faded) expect(l).toContain(`stroke-opacity="${FADED_OPACITY.toFixed(2)}"`);
    const live = lines(d.svg).filter((l) => !l.includes('data-faded'));
    expect(live.every((l) => Number(/stroke-opacity="([\d.]+)"/.exec(l)![1]) >= 0.15)).toBe(true);
  });

  it('rings saturation only on sigmoid/tanh hidden units: not ReLU, not a confident sigmoid output', () => {
    const r = deadNet();
    r.measurements.activations[0]!.layers[0]!.unitSaturatedFraction = [1, 1, 1, 1]; // a ReLU layer with |z| >= 5
    const d = networkDrawing(r)!;
    const ringed = circles(d.svg).filter((c) => c.includes('data-saturated'));
    expect(ringed).toHaveLength(2); // dense_2 units 0 and 2
    const plan = planNetwork(r)!;
    expect([...plan.columns[1]!.saturated]).toEqual([]);
    expect([...plan.columns[2]!.saturated]).toEqual([0, 2]);
    expect([...plan.columns[3]!.saturated]).toEqual([]);
  });

  it('dead, saturated, positive and negative each have their own colour, and the legend uses the same ones', () => {
    // Far apart, not just different hex: the old saturated ring (#e37400) and negative line (#e8710a) were both orange.
    const rgb = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
    const colours = Object.values(NETWORK_COLORS).map(rgb);
    for (const [a, x] of colours.entries())
      for (const y of colours.slice(a + 1)) expect(Math.hypot(...x.map((v, i) => v - y[i]!))).toBeGreaterThan(60);
    const d = networkDrawing(deadNet())!;
    const dead = circles(d.svg).filter((c) => c.includes('data-dead'));
    expect(dead).toHaveLength(2);
    for (const c of dead) expect(c).toContain(`stroke="${NETWORK_COLORS.dead}"`);
    for (const c of circles(d.svg).filter((x) => x.includes('data-saturated')))
      expect(c).toContain(`stroke="${NETWORK_COLORS.saturated}"`);
    const live = lines(d.svg).filter((l) => !l.includes('data-faded'));
    expect(live.some((l) => l.includes(`stroke="${NETWORK_COLORS.positive}"`))).toBe(true);
    expect(live.some((l) => l.includes(`stroke="${NETWORK_COLORS.negative}"`))).toBe(true);
    const legend = (d.svg.match(/<(line|circle) [^>]*data-legend[^>]*\/>/g) ?? []).join('\n');
    for (const c of Object.values(NETWORK_COLORS)) expect(legend).toContain(`stroke="${c}"`);
  });
});

describe('network picture: input labels', () => {
  it('labels inputs by feature name, long names truncated', () => {
    const names = ['CreditScore', 'Geography=Germany', 'Age'];
    const d = networkDrawing(net(3, [{ units: 2, activation: 'relu' }], { featureNames: names }))!;
    const t = texts(d.svg);
    expect(t).toContain('CreditScore');
    expect(t).toContain('Geography=Ger…');
    expect(t).toContain('Age');
  });

  it('labels unnamed inputs x1..xn', () => {
    const d = networkDrawing(net(3, [{ units: 2, activation: 'relu' }]))!;
    expect(texts(d.svg)).toEqual(expect.arrayContaining(['x1', 'x2', 'x3']));
  });

  it('a wide input shows the named features the first layer leans on most', () => {
    const names = Array.from({ length: 100 }, (_, i) => `f${i}`);
    // Inputs 90..99 carry every unit's largest weights.
    const kernel: Kernel = (c, i, j) => (c === 0 && i >= 90 ? 3 + ((i + j) % 5) : mixed(c, i, j) / 10);
    const r = net(100, [{ units: 8, activation: 'relu' }], { kernel, featureNames: names });
    const plan = planNetwork(r)!;
    expect(plan.columns[0]!.shown).toHaveLength(SAMPLE_UNITS);
    expect(plan.columns[0]!.labels).toEqual(expect.arrayContaining(['f90', 'f95', 'f99']));
  });
});
