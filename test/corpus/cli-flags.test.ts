import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWith, sharedPath } from '../helpers/requirements.js';

/**
 * Real models audited the way docs/real-models.md does it: from the command line, with the data options as flags
 * and no spec file. Each case failed before the flags existed (unknown argument, or a [28, 28] -> [784] mismatch).
 */
const MODELS = sharedPath('real-models');
const DATA = sharedPath('datasets');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-cli-flags-'));

interface Result {
  evaluation: { rows: number; on: string; loss: number; metrics: Record<string, number> };
  runWarnings: string[];
  findings: Array<{ id: string; status: string }>;
}
async function audit(name: string, args: string[]): Promise<{ code: number | null; stderr: string; result: Result }> {
  const out = path.join(tmp, name);
  const r = await runCli(['audit', ...args, '--out', out, '-q']);
  return {
    code: r.code,
    stderr: r.stderr,
    result: JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as Result,
  };
}

describeWith(['shared'], 'real models from the command line, data options as flags', () => {
  it('churn .keras on the raw churn CSV: ids excluded, Geography one-hot last, Gender ordinal, standardized, as its app did', async () => {
    const { code, stderr, result } = await audit('churn', [
      '--model',
      path.join(MODELS, 'k3-churn-ann/model.keras'),
      '--data',
      path.join(DATA, 'churn-modelling.csv'),
      '--label',
      'Exited',
      '--exclude',
      'RowNumber,CustomerId,Surname',
      '--categorical',
      'Geography,Gender:ordinal',
      '--normalize',
      'standardize',
      '--features',
      'CreditScore,Gender,Age,Tenure,Balance,NumOfProducts,HasCrCard,IsActiveMember,EstimatedSalary,Geography',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(result.evaluation).toMatchObject({ rows: 2000, on: 'validation' });
    expect(result.evaluation.metrics['accuracy']).toBeGreaterThan(0.85); // measured 0.8675, the spec-file audit's number; always "stays" is 0.80
  }, 300_000);

  it('the 34-layer MNIST MLP (784 inputs) as saved on Fashion-MNIST IDX images: each 28x28 image is flattened, and the run says so', async () => {
    const { code, result } = await audit('mlp-idx', [
      '--model',
      path.join(MODELS, 'at-motivation-dying-relu-34layer/tfjs_model_initial/model.json'),
      '--loss',
      'sparseCategoricalCrossentropy',
      '--data',
      path.join(DATA, 'fashion-mnist/t10k-images-idx3-ubyte.gz'),
      '--rescale',
      '1/255',
      '--limit',
      '200',
      '--validation-split',
      '0',
    ]);
    expect(result.evaluation).toMatchObject({ rows: 200, on: 'all rows' });
    expect(result.runWarnings).toContain(
      "each sample of shape [28, 28] was flattened (C order) to the model's input [784]",
    );
    // Untrained initial weights: at chance, and the audit says so (its label, dying ReLU, needs training).
    expect(result.findings.find((f) => f.id === 'underfitting')!.status).toBe('fail');
    expect(code).toBe(1);
  }, 300_000);
});
