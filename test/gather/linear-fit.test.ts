import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset, prepareData } from '../../src/gather/data/prepare.js';
import { dataSchema } from '../../src/config/spec-schema.js';
import { type Dataset, rowCount, rowWidth } from '../../src/gather/data/dataset.js';
import {
  fitLinearBaseline,
  fitLinearClassifier,
  lossAndGradient,
  trainSoftmax,
} from '../../src/gather/reference/linear-fit.js';
import { columnStats, standardize } from '../../src/gather/reference/fit-rows.js';
import { fitLinearRegression } from '../../src/gather/reference/linear-regression.js';
import { linearFitSchema } from '../../src/artifacts/schema.js';
import { trivialLoss } from '../../src/gather/reference/targets.js';
import { createRng, gaussian } from '../../src/util/random.js';
import { audit } from '../../src/audit/audit.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

/** A dataset as gather prepares it: shuffled, split 75/25, standardized. */
async function prepared(input: Record<string, unknown>) {
  const spec = dataSchema.parse({ normalize: 'standardize', ...input });
  const raw = await openDataset(spec, {
    baseDir: path.resolve(__dirname, '../../fixtures/data'),
    seed: 3,
    inputShape: null,
    checkShape: () => undefined,
  });
  return prepareData(raw, spec, 0.25, 7);
}

const norm = (g: Float64Array) => Math.sqrt(g.reduce((a, b) => a + b * b, 0));
const withoutCost = ({ ms: _ms, ...rest }: ReturnType<typeof fitLinearClassifier>) => rest;

/** Two Gaussian clouds 8 standard deviations apart along every axis: a straight line separates them. */
function farBlobs(n: number, d: number): Dataset {
  const rng = createRng(5);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    y[r] = r % 2;
    for (let c = 0; c < d; c++) x[r * d + c] = (r % 2 ? 4 : -4) + gaussian(rng);
  }
  return { x, y, featureShape: [d], featureNames: [], task: 'classification', numClasses: 2, source: 'far-blobs' };
}

describe('the linear classifier gather fits as the accuracy ceiling of a linear network', () => {
  it.each([
    { generator: 'spirals', samples: 900, classes: 3, noise: 0.1 },
    { generator: 'moons', samples: 800, noise: 0.2 },
    { csv: 'breast-cancer.csv', label: 'label' },
    { csv: 'wine.csv', label: 'label' },
  ])('is deterministic and converges: %j', async (input) => {
    const p = await prepared(input);
    const a = fitLinearClassifier(p.train, p.validation);
    expect(a.skipped).toBeNull();
    expect(withoutCost(fitLinearClassifier(p.train, p.validation))).toEqual(withoutCost(a));
    // Converged, not just stopped: the gradient at the fit is a small fraction of the gradient at W = 0.
    const n = rowCount(p.train),
      d = rowWidth(p.train),
      k = a.classes;
    const { mean, std } = columnStats(p.train.x, n, d);
    const xs = standardize(p.train.x, n, d, mean, std);
    const ys = Int32Array.from(p.train.y);
    const g0 = new Float64Array((d + 1) * k);
    const g = new Float64Array((d + 1) * k);
    const loss0 = lossAndGradient(xs, ys, new Float64Array((d + 1) * k), k, g0);
    const loss = lossAndGradient(xs, ys, trainSoftmax(xs, ys, k), k, g);
    expect(norm(g)).toBeLessThan(0.01 * norm(g0));
    // A constant prediction (W = 0, biases = log priors) is one linear model, so the fit's loss is at most the
    // entropy of the class priors.
    const priors = Array.from({ length: k }, (_, c) => p.train.y.filter((v) => v === c).length / n);
    expect(a.trainLoss!).toBeLessThanOrEqual(-priors.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0) + 1e-9);
    expect(loss).toBeLessThan(loss0);
  });

  it('cannot separate XOR or concentric circles, and separates distant blobs', async () => {
    // A half-plane holds at most 3 of XOR's 4 quadrants, or the inner circle and half the outer ring: <= 0.75 by
    // construction, plus a little for the noise.
    for (const generator of ['xor', 'circles']) {
      const p = await prepared({ generator, samples: 800, noise: 0.05 });
      expect(fitLinearClassifier(p.train, p.validation).trainAccuracy!).toBeLessThan(0.8);
    }
    const far = fitLinearClassifier(farBlobs(400, 3), farBlobs(100, 3));
    expect(far.trainAccuracy).toBe(1);
    expect(far.validationAccuracy).toBe(1);
  });

  it("scores the validation rows with the training rows' standardization and weights", () => {
    const train = farBlobs(400, 2);
    // The same points with every label flipped: a classifier right on every training row is wrong on all of these.
    const flipped = { ...train, y: train.y.map((v) => 1 - v) };
    expect(fitLinearClassifier(train, flipped)).toMatchObject({
      trainAccuracy: 1,
      validationAccuracy: 0,
      validationRows: 400,
    });
    // Shifted raw units: standardizing the validation rows with their own statistics would hide the shift.
    const shifted = { ...train, x: train.x.map((v) => v + 100) };
    expect(fitLinearClassifier(train, shifted).validationAccuracy).toBe(0.5);
  });

  it('caps the rows it uses, and skips regression, multi-label and wide image inputs with the reason', () => {
    const big = farBlobs(10_000, 2);
    const fit = fitLinearClassifier(big, null);
    expect(fit.rows).toBeLessThan(10_000);
    expect(fit.validationAccuracy).toBeNull();
    expect(fitLinearClassifier({ ...big, task: 'regression', numClasses: 0 }, null).skipped).toMatch(/regression/);
    expect(
      fitLinearClassifier({ ...farBlobs(10, 2), y: new Float32Array(20), yWidth: 2, multiLabel: true }, null).skipped,
    ).toMatch(/multi-label/);
    const wide = farBlobs(50, 2000);
    expect(fitLinearClassifier(wide, null)).toMatchObject({
      trainAccuracy: null,
      skipped: expect.stringMatching(/2000 features/),
    });
  });
});

describe('missing-nonlinearity on real training, with the linear ceiling gather measured', () => {
  const spec = (generator: string, classes: number, hidden: Array<Record<string, unknown>>) => {
    const head =
      classes === 2
        ? { type: 'dense', units: 1, activation: 'sigmoid' }
        : { type: 'dense', units: classes, activation: 'softmax' };
    return {
      seed: 7,
      name: `${generator}-${hidden.length ? 'mlp' : 'linear'}`,
      data: { generator, samples: 800, classes, noise: generator === 'moons' ? 0.2 : 0.1, normalize: 'standardize' },
      model: {
        train: {
          layers: [...hidden, head],
          loss: classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
          metrics: ['accuracy'],
          optimizer: { name: 'adam', learningRate: 0.01 },
          epochs: 30,
          batchSize: 32,
          validationSplit: 0.25,
        },
      },
    };
  };
  const finding = (r: Awaited<ReturnType<typeof audit>>, id: string) => r.findings.find((f) => f.id === id)!;

  it('a linear classifier on 3-class spirals fails, no better than linear; a ReLU MLP on moons passes, above linear', async () => {
    const linear = await audit(spec('spirals', 3, []) as SpecInput);
    const fit = linear.data.linearFit!;
    expect(fit).toMatchObject({
      skipped: null,
      rows: linear.data.trainSize,
      validationRows: linear.data.validationSize,
    });
    expect(linear.timing['linearFitMs']).toBeGreaterThan(0);
    const mn = finding(linear, 'missing-nonlinearity');
    expect(mn.status).toBe('fail');
    expect(mn.displayValue).toMatch(
      /a linear model reaches \d\.\d\d validation accuracy; this network \d\.\d\d: it is no better than linear/,
    );

    const mlp = await audit(
      spec('moons', 2, [
        { type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' },
        { type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' },
      ]) as SpecInput,
    );
    const healthy = finding(mlp, 'missing-nonlinearity');
    expect(healthy.status).toBe('pass');
    const table = healthy.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'));
    const row = table?.kind === 'table' ? table.rows.find((r) => r['measure'] === 'validation accuracy') : undefined;
    // Moons are not linearly separable: the MLP's validation accuracy is above the linear model's.
    expect(Number(row?.['network'])).toBeGreaterThan(Number(row?.['linear']) + 0.02);
    // Both runs again: the same linear fit to the last digit (the cost aside).
    const again = await audit(spec('spirals', 3, []) as SpecInput);
    expect({ ...again.data.linearFit, ms: 0 }).toEqual({ ...fit, ms: 0 });
  });
});

/** n rows of d features (raw units) and k targets y_j = sum_c (c + 1)(j + 1) x_c - 2 j + 3 + noise: a plane, known exactly. */
function plane(n: number, d: number, k: number, noise: number, seed = 9): Dataset {
  const rng = createRng(seed);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) x[r * d + c] = 5 * gaussian(rng) + 10; // raw units: the fit standardizes them
    for (let j = 0; j < k; j++) {
      let v = 3 - 2 * j + noise * gaussian(rng);
      for (let c = 0; c < d; c++) v += (c + 1) * (j + 1) * x[r * d + c]!;
      y[r * k + j] = v;
    }
  }
  return { x, y, yWidth: k, featureShape: [d], featureNames: [], task: 'regression', numClasses: 0, source: 'plane' };
}

describe('the least-squares fit gather makes for a regression network', () => {
  it('recovers a plane exactly, for one and for several targets, in MSE and in MAE', () => {
    for (const k of [1, 3]) {
      const mse = fitLinearRegression(plane(300, 4, k, 0), plane(100, 4, k, 0, 10), 'meanSquaredError');
      expect(mse).toMatchObject({
        task: 'regression',
        rows: 300,
        features: 4,
        classes: 0,
        targets: k,
        validationRows: 100,
        loss: 'meanSquaredError',
        skipped: null,
        trainAccuracy: null,
      });
      // Targets of size ~100 stored as float32: exact to their rounding.
      expect(mse.trainLoss!).toBeLessThan(1e-6);
      expect(mse.validationLoss!).toBeLessThan(1e-6);
      expect(mse.constantLoss!).toBeGreaterThan(100);
      expect(fitLinearRegression(plane(300, 4, k, 0), null, 'meanAbsoluteError').trainLoss!).toBeLessThan(1e-3);
    }
  });

  it('scores noise as the noise: MSE ~ sigma^2 and MAE ~ sigma sqrt(2 / pi), on the training and the validation rows', () => {
    const fit = fitLinearRegression(plane(3000, 3, 1, 2), plane(3000, 3, 1, 2, 11), 'meanSquaredError');
    expect(fit.trainLoss!).toBeGreaterThan(3.6);
    expect(fit.trainLoss!).toBeLessThan(4.4);
    expect(fit.validationLoss!).toBeGreaterThan(3.6);
    expect(fit.validationLoss!).toBeLessThan(4.4);
    const mae = fitLinearRegression(plane(3000, 3, 1, 2), null, 'meanAbsoluteError');
    expect(mae.trainLoss!).toBeGreaterThan(0.9 * 2 * Math.sqrt(2 / Math.PI));
    expect(mae.trainLoss!).toBeLessThan(1.1 * 2 * Math.sqrt(2 / Math.PI));
  });

  it('is the least-squares line on sine (1 feature): no other line scores a lower MSE', async () => {
    const p = await prepared({ generator: 'sine', samples: 800, noise: 0.1 });
    const fit = fitLinearRegression(p.train, p.validation, 'meanSquaredError');
    expect(fitLinearRegression(p.train, p.validation, 'meanSquaredError')).toEqual({ ...fit, ms: expect.any(Number) });
    // The best line through sin(x) on [-pi, pi] explains 6 / pi^2 = 61% of its variance (the noise adds 0.01 to both).
    const ratio = fit.trainLoss! / fit.constantLoss!;
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.5);
    expect(fit.constantLoss).toBeCloseTo(trivialLoss(p.train, 'meanSquaredError', 1)!, 10);
    // The textbook slope and intercept give the same MSE, and moving either by a little raises it.
    const xs = Array.from(p.train.x),
      ys = Array.from(p.train.y),
      n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n,
      my = ys.reduce((a, b) => a + b, 0) / n;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const mse = (b: number, c: number) => xs.reduce((a, x, i) => a + (c + b * x - ys[i]!) ** 2, 0) / n;
    expect(fit.trainLoss!).toBeCloseTo(mse(slope, my - slope * mx), 9);
    for (const [db, dc] of [
      [0.01, 0],
      [-0.01, 0],
      [0, 0.01],
      [0, -0.01],
    ])
      expect(mse(slope + db!, my - slope * mx + dc!)).toBeGreaterThan(fit.trainLoss!);
  });

  it('caps the rows, skips a loss with no linear baseline and too few rows, and dispatches by task', () => {
    expect(fitLinearRegression(plane(10_000, 2, 1, 1), null, 'meanSquaredError').rows).toBe(4000);
    expect(fitLinearRegression(plane(100, 2, 1, 1), null, 'binaryCrossentropy').skipped).toMatch(
      /loss binaryCrossentropy/,
    );
    expect(fitLinearRegression(plane(8, 2, 1, 1), null, 'meanSquaredError').skipped).toMatch(/too few/);
    // Wide rows are cut to the work budget: rows x features^2 stays bounded.
    const wide = fitLinearRegression(plane(4000, 300, 1, 1), null, 'meanSquaredError');
    expect(wide.rows).toBeLessThan(4000);
    expect(wide.rows).toBeGreaterThanOrEqual(2 * 301);
    expect(fitLinearBaseline(plane(100, 2, 1, 1), null, 'meanSquaredError')).toMatchObject({
      task: 'regression',
      rowsFrom: 'training rows',
    });
    expect(fitLinearBaseline(farBlobs(100, 2), null, 'binaryCrossentropy', 'probe rows')).toMatchObject({
      task: 'classification',
      rowsFrom: 'probe rows',
      trainAccuracy: 1,
    });
  });

  it('keeps documents written before regression fits valid', () => {
    const old = {
      method: 'multinomial logistic regression',
      rows: 600,
      features: 2,
      classes: 3,
      validationRows: 200,
      trainAccuracy: 0.5,
      validationAccuracy: 0.5,
      trainLoss: 0.9,
      ms: 3,
      skipped: null,
    };
    expect(linearFitSchema.parse(old)).toEqual(old);
    expect(linearFitSchema.parse(fitLinearRegression(plane(100, 2, 1, 1), null, 'meanSquaredError')).task).toBe(
      'regression',
    );
  });
});

describe('missing-nonlinearity on a real regression, with the least-squares floor gather measured', () => {
  const spec = (name: string, hidden: Array<Record<string, unknown>>) => ({
    seed: 7,
    name,
    data: { generator: 'sine', samples: 800, noise: 0.1, normalize: 'standardize' },
    model: {
      train: {
        layers: [...hidden, { type: 'dense', units: 1, activation: 'linear' }],
        loss: 'meanSquaredError',
        optimizer: { name: 'adam', learningRate: 0.01 },
        epochs: 60,
        batchSize: 32,
        validationSplit: 0.25,
      },
    },
  });
  const finding = (r: Awaited<ReturnType<typeof audit>>, id: string) => r.findings.find((f) => f.id === id)!;
  const tableRow = (f: ReturnType<typeof finding>, measure: string) => {
    const table = f.evidence.find((e) => e.kind === 'table' && e.title.startsWith('Fit of'));
    return table?.kind === 'table' ? table.rows.find((r) => r['measure'] === measure) : undefined;
  };

  it('an all-linear network on sine is no better than the least-squares line; a ReLU MLP fits sine far below it', async () => {
    const linear = await audit(spec('sine-linear', [{ type: 'dense', units: 16, activation: 'linear' }]) as SpecInput);
    expect(linear.data.linearFit).toMatchObject({
      task: 'regression',
      skipped: null,
      loss: 'meanSquaredError',
      rows: linear.data.trainSize,
      validationRows: linear.data.validationSize,
    });
    const mn = finding(linear, 'missing-nonlinearity');
    expect(mn.status).toBe('fail');
    // Measured: validation MSE 0.198 for the line, 0.200 for this network.
    expect(mn.displayValue).toMatch(
      /a linear least-squares fit reaches validation MSE 0\.\d+; this network 0\.\d+: it is no better than linear/,
    );
    const v = tableRow(mn, 'validation loss (MSE)');
    expect(Number(v?.['network'])).toBeGreaterThanOrEqual(0.95 * Number(v?.['linear']));

    const mlp = await audit(
      spec('sine-mlp', [
        { type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' },
        { type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' },
      ]) as SpecInput,
    );
    const healthy = finding(mlp, 'missing-nonlinearity');
    expect(healthy.status).toBe('pass');
    const h = tableRow(healthy, 'validation loss (MSE)');
    // sin is not a line: the MLP's validation MSE (measured 0.012) is well under half the least-squares line's (0.198).
    expect(Number(h?.['network'])).toBeLessThan(0.5 * Number(h?.['linear']));
  });
});
