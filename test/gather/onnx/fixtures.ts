import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../helpers/cli.js';

/** fixtures/onnx: small torch exports and what PyTorch computed for them (scripts/make-onnx-fixtures.py). */
export const ONNX_DIR = path.join(ROOT, 'fixtures', 'onnx');

export interface OnnxCase {
  case: string;
  opset: number;
  ops: string[];
  exportMode: 'eval' | 'train' | 'onnx-helper';
  description: string;
  inputs: Array<{ name: string; shape: number[]; data: number[] }>;
  outputs: Array<{ name: string; shape: number[]; data: number[] }>;
  gradients?: { loss: string; labels: number[]; norms: Record<string, number>; trainMode: boolean };
}

export function onnxCases(): OnnxCase[] {
  const manifest = JSON.parse(readFileSync(path.join(ONNX_DIR, 'manifest.json'), 'utf8')) as {
    cases: Array<{ case: string; expected: string }>;
  };
  return manifest.cases.map((c) => JSON.parse(readFileSync(path.join(ONNX_DIR, c.expected), 'utf8')) as OnnxCase);
}

/** The largest difference relative to the expected values' scale (max |expected|, at least 1e-3). */
export function relativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  const scale = Math.max(1e-3, ...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  return worst;
}
