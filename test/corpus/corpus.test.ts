import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { loadLayersModel } from '../../src/gather/model/load-model.js';
import { selectBackend } from '../../src/gather/backend/backend.js';
import { ModelLoadError } from '../../src/errors.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';
import { createRng, gaussian } from '../../src/util/random.js';
import type { LossName } from '../../src/config/spec-schema.js';

/**
 * The shared real-models corpus (public Keras/tfjs models with known problems), read in place: its licenses
 * are not stated, so nothing is copied into this repository. The folder sits beside the project checkout.
 */
const CORPUS = sharedPath('real-models');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-corpus-'));

function modelDirs(dir = CORPUS): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = path.join(dir, name);
      if (!statSync(p).isDirectory()) return [];
      return existsSync(path.join(p, 'model.json')) ? [p] : modelDirs(p);
    })
    .sort();
}

/** The AUTOTRAINER blob/circle splits as nnaudit JSON data ({x, y} with class indices). */
function corpusData(name: 'blob' | 'circle'): string {
  const file = path.join(tmp, `${name}.json`);
  if (!existsSync(file)) {
    const { data } = JSON.parse(
      readFileSync(path.join(CORPUS, 'at-datasets-blob-circle', `data_${name}.json`), 'utf8'),
    ) as { data: { x: number[][]; x_val: number[][]; y: Array<number | number[]>; y_val: Array<number | number[]> } };
    const label = (v: number | number[]) => (Array.isArray(v) ? v.indexOf(Math.max(...v)) : v);
    writeFileSync(file, JSON.stringify({ x: [...data.x, ...data.x_val], y: [...data.y, ...data.y_val].map(label) }));
  }
  return file;
}

const KERAS_LOSS: Record<string, LossName> = {
  binary_crossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
};

describeWith(['shared'], 'real-models corpus', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('loads every tfjs model.json, and rejects the graph model with a clear message', async () => {
    const dirs = modelDirs();
    expect(dirs.length).toBeGreaterThanOrEqual(48);
    const rejected: string[] = [];
    for (const dir of dirs) {
      try {
        const { model } = await loadLayersModel(path.join(dir, 'model.json'));
        expect(model.countParams(), dir).toBeGreaterThan(0);
        model.dispose();
      } catch (e) {
        expect(e, dir).toBeInstanceOf(ModelLoadError);
        expect((e as Error).message).toMatch(/graph model .*not a LayersModel/);
        rejected.push(path.relative(CORPUS, dir));
      }
    }
    expect(rejected).toEqual(['neg-tfjs-graph-model-mlp/tfjs']);
  });

  it('AUTOTRAINER vanishing-gradient demo, trained per its config (Adam 1e-3, batch 128, 300 epochs, circle): vanishing-gradients fails', async () => {
    const r = await audit({
      name: 'at-demo-gradient-vanish',
      model: {
        load: {
          path: path.join(CORPUS, 'at-demo-gradient-vanish/tfjs_model_initial/model.json'),
          loss: 'binaryCrossentropy',
          epochs: 300,
          batchSize: 128,
          validationSplit: 0.3,
          optimizer: { name: 'adam', learningRate: 0.001 },
        },
      },
      data: { json: corpusData('circle') },
    });
    const f = r.findings.find((x) => x.id === 'vanishing-gradients')!;
    expect(f.status, f.displayValue).toBe('fail');
    expect(f.numericValue!).toBeLessThan(1e-3);
  }, 600_000);

  it('softmax on one output unit (StackOverflow 31880720): named as a constant output from the wrong last activation, not as dying ReLU', async () => {
    const x = Array.from({ length: 300 }, (_, i) => Array.from({ length: 128 }, (_, j) => Math.sin(i * 7.1 + j * 1.3)));
    const data = path.join(tmp, 'so31880720.json');
    writeFileSync(data, JSON.stringify({ x, y: x.map((row) => (row[0]! > 0 ? 1 : 0)) }));
    for (const ckpt of ['tfjs_model_trained_ckpt', 'tfjs_model_bn_attempt_ckpt']) {
      const r = await audit({
        name: 'so31880720',
        model: {
          load: {
            path: path.join(CORPUS, 'dd-so31880720-softmax-on-1-unit', ckpt, 'model.json'),
            loss: 'binaryCrossentropy',
          },
        },
        data: { json: data },
      });
      const f = r.findings.find((x) => x.id === 'output-activation')!;
      expect(f.status, ckpt).toBe('fail');
      expect(f.displayValue).toMatch(
        /softmax over a single unit .*always 1.0 \(measured: constant on every probe sample\)/,
      );
      expect(f.recommendation).toMatch(/sigmoid/);
      expect(r.findings.find((x) => x.id === 'dead-relu')!.status, ckpt).not.toBe('fail');
      expect(r.gate.exitCode).toBe(1);
    }
  }, 300_000);

  it('AUTOTRAINER oscillating-loss demo (SGD 0.01, momentum 0.9, batch size 1, blob data): oscillating-loss is flagged', async () => {
    // The config says 200 epochs; 30 show the pattern and keep the suite fast.
    const r = await audit({
      name: 'at-demo-oscillating-loss',
      model: {
        load: {
          path: path.join(CORPUS, 'at-demo-oscillating-loss/tfjs_model_initial/model.json'),
          loss: 'categoricalCrossentropy',
          epochs: 30,
          batchSize: 1,
          validationSplit: 0.3,
          optimizer: { name: 'momentum', learningRate: 0.01, momentum: 0.9 },
        },
      },
      data: { json: corpusData('blob'), probeSize: 128 },
    });
    const f = r.findings.find((x) => x.id === 'oscillating-loss')!;
    expect(['warn', 'fail'], f.displayValue).toContain(f.status);
    expect(f.recommendation).toMatch(/larger batch size/);
  }, 600_000);

  it('AUTOTRAINER 34-layer dying-ReLU model (dies in 50-80% of runs): the statistic over 5 seeds, not one run', async () => {
    // MNIST-shaped inputs the test generates: 10 classes of 784 pixels in [0, 1], each pixel
    // clip(0.5 + 0.3 * prototype + noise), prototype and noise Gaussian (sd 1 and 0.3).
    const rng = createRng(12345);
    const prototypes = Array.from({ length: 10 }, () => Array.from({ length: 784 }, () => gaussian(rng)));
    const x = Array.from({ length: 1500 }, (_, i) =>
      prototypes[i % 10]!.map((p) => Math.min(1, Math.max(0, 0.5 + 0.3 * p + 0.3 * gaussian(rng)))),
    );
    const data = path.join(tmp, 'mnist-like.json');
    writeFileSync(data, JSON.stringify({ x, y: x.map((_, i) => i % 10) }));
    const r = await audit({
      name: 'dying-relu-34',
      seed: 1,
      seeds: 5,
      gate: { aggregate: 'median' },
      model: {
        load: {
          path: path.join(CORPUS, 'at-motivation-dying-relu-34layer/tfjs_model_initial/model.json'),
          loss: 'categoricalCrossentropy',
          epochs: 5,
          batchSize: 32,
          optimizer: { name: 'adam', learningRate: 0.001 },
        },
      },
      data: { json: data, probeSize: 256 },
    });
    const statuses = r.seedRuns!.perAnalyzer['dead-relu']!.statuses;
    const died = statuses.filter((s) => s === 'fail').length / statuses.length;
    expect(died, statuses.join(',')).toBeGreaterThanOrEqual(0.4);
    expect(r.findings.find((f) => f.id === 'dead-relu')!.displayValue).toMatch(/median of 5 seeds: /);
  }, 900_000);

  /**
   * Labelled "normal" (weakly: AUTOTRAINER raised no issue at its default thresholds). One label we dispute, with
   * the measurements: blob-22eb8478's own log ends at training accuracy 0.357 (chance 0.33) and loss 1.061 (a
   * constant predictor scores 1.099), its 5 tanh layers trained by Adagrad at lr 1 pass back 5.6e-5 of the
   * gradient, and AUTOTRAINER itself reports "vanish" there when its thresholds change. We call it vanishing.
   */
  const disputed: Record<string, string> = { 'blob-22eb8478': 'fail' };
  const thresholdCases = existsSync(CORPUS) ? readdirSync(path.join(CORPUS, 'dd-threshold')).sort() : [];
  it.each(thresholdCases)(
    'dd-threshold/%s (labelled normal): no vanishing or exploding alarm on the trained checkpoint',
    async (name) => {
      const dir = path.join(CORPUS, 'dd-threshold', name);
      const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        dataset: string;
        loss: string;
      };
      const r = await audit({
        name,
        model: {
          load: {
            path: path.join(dir, 'tfjs_model_trained_ckpt', 'model.json'),
            loss: KERAS_LOSS[config.loss]!,
            history: path.join(dir, 'log.csv'),
          },
        },
        data: { json: corpusData(config.dataset.includes('blob') ? 'blob' : 'circle') },
      });
      const exploding = r.findings.find((x) => x.id === 'exploding-gradients')!;
      expect(['pass', 'notApplicable'], `${name}: ${exploding.displayValue}`).toContain(exploding.status);
      const vanishing = r.findings.find((x) => x.id === 'vanishing-gradients')!;
      if (disputed[name]) {
        expect(vanishing.status).toBe(disputed[name]);
        expect(r.findings.find((x) => x.id === 'underfitting')!.status).toBe('fail');
      } else {
        expect(['pass', 'notApplicable'], `${name}: ${vanishing.displayValue}`).toContain(vanishing.status);
      }
    },
    300_000,
  );
});
