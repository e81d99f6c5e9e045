import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset, prepareData } from '../../src/gather/data/prepare.js';
import { dataSchema } from '../../src/config/spec-schema.js';
import { type Dataset, rowCount, rowWidth } from '../../src/gather/data/dataset.js';
import { columnStats, fitLinearClassifier, lossAndGradient, standardize, trainSoftmax } from '../../src/gather/linear-fit.js';
import { createRng, gaussian } from '../../src/util/random.js';
import { audit } from '../../src/analyze/audit.js';
import type { SpecInput } from '../../src/config/spec-schema.js';

/** A dataset as gather prepares it: shuffled, split 75/25, standardized. */
async function prepared(input: Record<string, unknown>) {
  const spec = dataSchema.parse({ normalize: 'standardize', ...input });
  const raw = await openDataset(spec, { baseDir: path.resolve(__dirname, '../../fixtures/data'), seed: 3, inputShape: null, checkShape: () => undefined });
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
    const n = rowCount(p.train), d = rowWidth(p.train), k = a.classes;
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

  it('scores the validation rows with the training rows\' standardization and weights', () => {
    const train = farBlobs(400, 2);
    // The same points with every label flipped: a classifier right on every training row is wrong on all of these.
    const flipped = { ...train, y: train.y.map((v) => 1 - v) };
    expect(fitLinearClassifier(train, flipped)).toMatchObject({ trainAccuracy: 1, validationAccuracy: 0, validationRows: 400 });
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
    expect(fitLinearClassifier({ ...farBlobs(10, 2), y: new Float32Array(20), yWidth: 2, multiLabel: true }, null).skipped).toMatch(/multi-label/);
    const wide = farBlobs(50, 2000);
    expect(fitLinearClassifier(wide, null)).toMatchObject({ trainAccuracy: null, skipped: expect.stringMatching(/2000 features/) });
  });
});

describe('missing-nonlinearity on real training, with the linear ceiling gather measured', () => {
  const spec = (generator: string, classes: number, hidden: Array<Record<string, unknown>>) => {
    const head = classes === 2 ? { type: 'dense', units: 1, activation: 'sigmoid' } : { type: 'dense', units: classes, activation: 'softmax' };
    return {
      seed: 7, name: `${generator}-${hidden.length ? 'mlp' : 'linear'}`,
      data: { generator, samples: 800, classes, noise: generator === 'moons' ? 0.2 : 0.1, normalize: 'standardize' },
      model: { train: { layers: [...hidden, head], loss: classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy', metrics: ['accuracy'],
        optimizer: { name: 'adam', learningRate: 0.01 }, epochs: 30, batchSize: 32, validationSplit: 0.25 } },
    };
  };
  const finding = (r: Awaited<ReturnType<typeof audit>>, id: string) => r.findings.find((f) => f.id === id)!;

  it('a linear classifier on 3-class spirals fails, no better than linear; a ReLU MLP on moons passes, above linear', async () => {
    const linear = await audit(spec('spirals', 3, []) as SpecInput);
    const fit = linear.data.linearFit!;
    expect(fit).toMatchObject({ skipped: null, rows: linear.data.trainSize, validationRows: linear.data.validationSize });
    expect(linear.timing['linearFitMs']).toBeGreaterThan(0);
    const mn = finding(linear, 'missing-nonlinearity');
    expect(mn.status).toBe('fail');
    expect(mn.displayValue).toMatch(/a linear model reaches \d\.\d\d validation accuracy; this network \d\.\d\d: it is no better than linear/);

    const mlp = await audit(spec('moons', 2, [{ type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' }, { type: 'dense', units: 32, activation: 'relu', kernelInitializer: 'heNormal' }]) as SpecInput);
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
