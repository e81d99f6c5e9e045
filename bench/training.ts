/**
 * Training speed on wasm: each case of training-cases.ts fitted with tfjs' own wasm kernels ("before": nnaudit's
 * overrides switched off) and with nnaudit's ("after"), alternated in one process, and in PyTorch on one thread
 * when python3 can import torch, alternated with them. Prints one JSON line per case.
 * Usage: node dist/bench/training.js [reps] [case,case,...]; BENCH_AFTER_ONLY=1 skips the "before" fits.
 */
import { execFileSync } from 'node:child_process';
import { cpuMsSince } from '../src/util/cpu-time.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../src/gather/backend/wasm-kernel-bridge.js';
import { tf } from '../src/gather/tf.js';
import { packageRoot } from '../src/util/package-root.js';
import { buildCaseModel, TRAINING_CASES, type TrainingCase } from './training-cases.js';

export interface TrainingRow {
  name: string;
  description: string;
  reps: number;
  beforeMs: number | null;
  afterMs: number | null;
  torchMs: number | null;
  torch: string | null;
  skipped?: string;
  /** Process CPU time (user + system) of the same fits: steadier than wall time on a loaded machine. */
  beforeCpuMs?: number | null;
  afterCpuMs?: number | null;
  torchCpuMs?: number | null;
  /** The BLAS PyTorch's matmuls ran on, its measured sgemm rate, and whether it is the netlib reference. */
  torchBlas?: { blas: string[]; referenceBlas: boolean; sgemmGflops: number };
}

interface TorchOutput {
  ms: number[];
  cpuMs: number[];
  blas: string[];
  referenceBlas: boolean;
  sgemmGflops: number;
}

/**
 * Debian's python3-torch takes its BLAS from libblas.so.3; with only libblas3 installed that is the netlib
 * reference BLAS, about 15x slower on the benchmark's sgemm than OpenBLAS, which made PyTorch ~10x slower than
 * PyTorch is (issue #14). The bench says so rather than quoting a ratio against it.
 */
export const REFERENCE_BLAS_HINT =
  'PyTorch ran on the netlib reference BLAS (Debian libblas3): not a fair baseline. ' +
  '`apt-get install libopenblas0-serial` (system-wide), or set NNAUDIT_TORCH_LIBRARY_PATH to a folder holding an optimized libblas.so.3 ' +
  '(e.g. /usr/lib/x86_64-linux-gnu/openblas-serial)';

/**
 * The PyTorch child's environment: one thread in every pool, an optional folder of BLAS libraries first, and glibc's
 * malloc kept from handing large blocks back to the kernel.
 *
 * Why the malloc settings: glibc serves each tensor over 128 KB (a batch of activations) with mmap and unmaps it on
 * free, so every training step faults its activations' pages in afresh. On the 7 Dec 2026 evening machine (a
 * Firecracker VM) a page fault cost about 13 us: pt-fashion-cnn's PyTorch step took 63-74 ms with 237,000 faults in
 * 84 steps, and 14.8-18.6 ms with these settings (41,000 faults, mostly start-up). That is the VM's memory, not PyTorch's
 * speed; the arithmetic is unchanged. tfjs' wasm heap is never handed back, so nnaudit's side never paid it.
 */
export function torchEnv(): NodeJS.ProcessEnv {
  const extra = process.env['NNAUDIT_TORCH_LIBRARY_PATH'];
  const ld = [extra, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  return {
    ...process.env,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    // Blocks up to 32 MiB (glibc's largest threshold) from the heap, and the heap's top never trimmed.
    MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
    MALLOC_TRIM_THRESHOLD_: String(2 ** 32 - 1),
    ...(ld ? { LD_LIBRARY_PATH: ld } : {}),
  };
}

export const TORCH_HINT =
  'PyTorch not found: on Debian/Ubuntu `apt-get install python3-torch` (or `pip install torch`), or set NNAUDIT_PYTHON to a python that has it';

const median = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]! : null);

/** The first python that can import torch, with its version; null when none can. */
export function findTorchPython(): { python: string; version: string } | null {
  const candidates = [process.env['NNAUDIT_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string =>
    Boolean(p),
  );
  for (const python of candidates) {
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      return { python, version };
    } catch {
      // not this one
    }
  }
  return null;
}

async function fitOnce(c: TrainingCase, x: tf.Tensor, y: tf.Tensor): Promise<{ ms: number; cpuMs: number }> {
  const model = await buildCaseModel(c);
  try {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await model.fit(x, y, { epochs: c.epochs, batchSize: c.batchSize, shuffle: true, verbose: 0 });
    return { ms: performance.now() - t, cpuMs: cpuMsSince(cpu) };
  } finally {
    model.optimizer.dispose(); // an optimizer passed to compile is not the model's to dispose
    model.dispose();
  }
}

async function benchCase(
  c: TrainingCase,
  reps: number,
  torch: { python: string; version: string } | null,
): Promise<TrainingRow> {
  const row: TrainingRow = {
    name: c.name,
    description: c.description,
    reps,
    beforeMs: null,
    afterMs: null,
    torchMs: null,
    torch: null,
  };
  if (!c.layers && !c.graph && !c.modelPath)
    return { ...row, skipped: 'model not found (set NNAUDIT_SHARED to the shared folder)' };
  const { x, y, classes } = c.data();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-train-bench-'));
  try {
    const torchCase = torch && (c.layers || c.graph) ? path.join(dir, 'case.json') : null;
    if (torchCase) {
      writeFileSync(path.join(dir, 'x.f32'), (await x.data()) as Float32Array);
      writeFileSync(path.join(dir, 'classes.i32'), classes);
      writeFileSync(
        torchCase,
        JSON.stringify({ ...c, x: path.join(dir, 'x.f32'), classes: path.join(dir, 'classes.i32') }),
      );
    }
    const before: Array<{ ms: number; cpuMs: number }> = [];
    const after: Array<{ ms: number; cpuMs: number }> = [];
    const torchMs: number[] = [];
    const torchCpuMs: number[] = [];
    let torchBlas: TrainingRow['torchBlas'];
    // Warm-up: wasm compiled, XNNPACK operators and the allocator at their working size. A loaded model's fit takes
    // minutes, against which a cold start is noise: skip it there.
    if (c.layers || c.graph) await fitOnce(c, x, y);
    for (let i = 0; i < reps; i++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      // BENCH_AFTER_ONLY=1: nnaudit's kernels and PyTorch only (tfjs' own conv gradients take minutes a fit).
      const sides = process.env['BENCH_AFTER_ONLY'] === '1' ? [true] : i % 2 === 0 ? [false, true] : [true, false];
      for (const on of sides) {
        setWasmKernelOverrides(on);
        (on ? after : before).push(await fitOnce(c, x, y));
      }
      setWasmKernelOverrides(true);
      if (torchCase && torch) {
        const out = execFileSync(torch.python, [path.join(packageRoot(), 'bench', 'torch_train.py'), torchCase, '1'], {
          encoding: 'utf8',
          env: torchEnv(),
        });
        const parsed = JSON.parse(out.trim().split('\n').pop()!) as TorchOutput;
        torchMs.push(...parsed.ms);
        torchCpuMs.push(...parsed.cpuMs);
        torchBlas = { blas: parsed.blas, referenceBlas: parsed.referenceBlas, sgemmGflops: parsed.sgemmGflops };
      }
    }
    return {
      ...row,
      beforeMs: median(before.map((r) => r.ms)),
      afterMs: median(after.map((r) => r.ms)),
      torchMs: median(torchMs),
      beforeCpuMs: median(before.map((r) => r.cpuMs)),
      afterCpuMs: median(after.map((r) => r.cpuMs)),
      torchCpuMs: median(torchCpuMs),
      torch: torchCase ? torch!.version : null,
      ...(torchBlas ? { torchBlas } : {}),
    };
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
    const reps =
      c.name === 'mobilenetv2'
        ? Math.min(Number(repsText), Number(process.env['BENCH_MOBILENET_REPS'] ?? 1))
        : Number(repsText);
    const row = await benchCase(c, reps, torch);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    if (row.torchBlas?.referenceBlas) process.stderr.write(`${REFERENCE_BLAS_HINT}\n`);
  }
}

if (process.argv[1]?.endsWith(path.join('bench', 'training.js'))) await main();
