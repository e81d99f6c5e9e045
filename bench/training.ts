/**
 * Training speed on wasm: each case of training-cases.ts fitted with tfjs' own wasm kernels ("before": nnaudit's
 * overrides switched off) and with nnaudit's ("after"), alternated in one process, and in PyTorch on one thread
 * when python3 can import torch, alternated with them. Prints one JSON line per case.
 * Usage: node dist/bench/training.js [reps] [case,case,...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/gather/backend.js';
import { setWasmKernelOverrides } from '../src/gather/wasm-kernel-bridge.js';
import { tf } from '../src/gather/tf.js';
import { packageRoot } from '../src/util/package-root.js';
import { buildCaseModel, TRAINING_CASES, type TrainingCase } from './training-cases.js';

export interface TrainingRow {
  name: string; description: string; reps: number;
  beforeMs: number | null; afterMs: number | null; torchMs: number | null; torch: string | null; skipped?: string;
}

export const TORCH_HINT = 'PyTorch not found: on Debian/Ubuntu `apt-get install python3-torch` (or `pip install torch`), or set NNAUDIT_PYTHON to a python that has it';

const median = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]! : null);

/** The first python that can import torch, with its version; null when none can. */
export function findTorchPython(): { python: string; version: string } | null {
  const candidates = [process.env['NNAUDIT_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return { python, version };
    } catch {
      // not this one
    }
  }
  return null;
}

async function fitOnce(c: TrainingCase, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const model = await buildCaseModel(c);
  try {
    const t = performance.now();
    await model.fit(x, y, { epochs: c.epochs, batchSize: c.batchSize, shuffle: true, verbose: 0 });
    return performance.now() - t;
  } finally {
    model.dispose();
  }
}

async function benchCase(c: TrainingCase, reps: number, torch: { python: string; version: string } | null): Promise<TrainingRow> {
  const row: TrainingRow = { name: c.name, description: c.description, reps, beforeMs: null, afterMs: null, torchMs: null, torch: null };
  if (!c.layers && !c.modelPath) return { ...row, skipped: 'model not found (set NNAUDIT_SHARED to the shared folder)' };
  const { x, y, classes } = c.data();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-train-bench-'));
  try {
    const torchCase = torch && c.layers ? path.join(dir, 'case.json') : null;
    if (torchCase) {
      writeFileSync(path.join(dir, 'x.f32'), await x.data() as Float32Array);
      writeFileSync(path.join(dir, 'classes.i32'), classes);
      writeFileSync(torchCase, JSON.stringify({ ...c, x: path.join(dir, 'x.f32'), classes: path.join(dir, 'classes.i32') }));
    }
    const before: number[] = [];
    const after: number[] = [];
    const torchMs: number[] = [];
    // Warm-up: wasm compiled, XNNPACK operators and the allocator at their working size. A loaded model's fit takes
    // minutes, against which a cold start is noise: skip it there.
    if (c.layers) await fitOnce(c, x, y);
    for (let i = 0; i < reps; i++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
        setWasmKernelOverrides(on);
        (on ? after : before).push(await fitOnce(c, x, y));
      }
      setWasmKernelOverrides(true);
      if (torchCase && torch) {
        const out = execFileSync(torch.python, [path.join(packageRoot(), 'bench', 'torch_train.py'), torchCase, '1'], { encoding: 'utf8' });
        torchMs.push(...(JSON.parse(out.trim().split('\n').pop()!) as { ms: number[] }).ms);
      }
    }
    return { ...row, beforeMs: median(before), afterMs: median(after), torchMs: median(torchMs), torch: torchCase ? torch!.version : null };
  } finally {
    tf.dispose([x, y]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [repsText = '3', names] = process.argv.slice(2);
  const info = await selectBackend('wasm');
  if (info.name !== 'wasm') throw new Error('the training benchmark measures the wasm backend');
  const torch = findTorchPython();
  const cases = names ? TRAINING_CASES.filter((c) => names.split(',').includes(c.name)) : TRAINING_CASES;
  for (const c of cases) {
    const reps = c.name === 'mobilenetv2' ? Math.min(Number(repsText), Number(process.env['BENCH_MOBILENET_REPS'] ?? 1)) : Number(repsText);
    process.stdout.write(`${JSON.stringify(await benchCase(c, reps, torch))}\n`);
  }
}

if (process.argv[1]?.endsWith(path.join('bench', 'training.js'))) await main();
