/**
 * `npm run bench`: measured numbers for docs/training-speed.md, docs/reports.md and docs/queue.md. Each backend
 * runs in its own process (tfjs keeps one backend per process), on the same specs, medians of alternated repetitions.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchReports, pagesLine } from './report.js';
import { benchQueue } from './queue.js';
import { findTorchPython, REFERENCE_BLAS_HINT, TORCH_HINT, type TrainingRow } from './training.js';

interface OverheadRow {
  model: string;
  backend: string;
  reps: number;
  plainMs: number;
  fullMs: number | null;
  probeMs: number | null;
  ratio: number | null;
  cpuRatio?: number | null;
  numTensors: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function overhead(model: string, backend: string, reps: number, mode: 'both' | 'plain' = 'both'): OverheadRow {
  const out = execFileSync(process.execPath, [path.join(here, 'overhead.js'), model, String(reps), mode], {
    env: { ...process.env, NNAUDIT_BACKEND: backend },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as OverheadRow;
}

/** tfjs wasm before/after nnaudit's kernels, and PyTorch on one thread, alternated in one child process. */
function trainingTable(reps: number): void {
  const out = execFileSync(process.execPath, [path.join(here, 'training.js'), String(reps)], {
    env: { ...process.env, NNAUDIT_BACKEND: 'wasm' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const rows = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TrainingRow);
  const torch = findTorchPython();
  process.stdout.write(
    `\nTraining speed on wasm (model.fit, medians of ${reps} alternated reps; MobileNetV2: BENCH_MOBILENET_REPS, default 1)\n`,
  );
  process.stdout.write(
    `${torch ? `PyTorch ${torch.version} (${torch.python}), torch.set_num_threads(1)` : TORCH_HINT}\n`,
  );
  process.stdout.write(
    'model        tfjs before  tfjs after  speed-up  PyTorch 1 thread  after/PyTorch  same in CPU time\n',
  );
  const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(2)} s`);
  for (const r of rows) {
    if (r.skipped) {
      process.stdout.write(`${r.name.padEnd(12)} skipped: ${r.skipped}\n`);
      continue;
    }
    const speedUp = r.beforeMs && r.afterMs ? `${(r.beforeMs / r.afterMs).toFixed(2)}x` : '-';
    // Against the reference BLAS the ratio measures libblas3, not PyTorch: mark it rather than quote it bare.
    const ratio =
      r.afterMs && r.torchMs
        ? `${(r.afterMs / r.torchMs).toFixed(2)}x${r.torchBlas?.referenceBlas ? ' (ref. BLAS!)' : ''}`
        : '-';
    // CPU time is steadier than wall time when other jobs share the cores (both sides do their math on one thread).
    const cpuRatio = r.afterCpuMs && r.torchCpuMs ? `${(r.afterCpuMs / r.torchCpuMs).toFixed(2)}x` : '-';
    process.stdout.write(
      `${r.name.padEnd(12)} ${ms(r.beforeMs).padStart(11)} ${ms(r.afterMs).padStart(11)} ${speedUp.padStart(9)} ${ms(r.torchMs).padStart(17)} ${ratio.padStart(14)} ${cpuRatio.padStart(17)}\n`,
    );
  }
  for (const r of rows) process.stdout.write(`  ${r.name}: ${r.description}\n`);
  const blas = rows.find((r) => r.torchBlas)?.torchBlas;
  if (blas)
    process.stdout.write(`  PyTorch BLAS: ${blas.blas.join(', ')}, sgemm 64x784x256 ${blas.sgemmGflops} GFLOP/s\n`);
  if (blas?.referenceBlas) process.stdout.write(`  ${REFERENCE_BLAS_HINT}\n`);
}

async function main(): Promise<void> {
  const reps = Number(process.env['BENCH_REPS'] ?? 5);
  process.stdout.write(
    `nnaudit bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${reps} reps, medians\n\n`,
  );
  const rows = [overhead('mlp', 'wasm', reps), overhead('cnn', 'wasm', reps), overhead('mlp', 'cpu', reps)];
  process.stdout.write('Diagnostics overhead (plain model.fit vs the same fit with every probe; goal <= 1.10x)\n');
  process.stdout.write(
    'model  backend  plain fit   with diagnostics  probes    ratio  CPU-time ratio (whole gather)\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.model.padEnd(6)} ${r.backend.padEnd(8)} ${`${r.plainMs.toFixed(0)} ms`.padStart(9)}   ${`${r.fullMs!.toFixed(0)} ms`.padStart(14)}  ${`${r.probeMs!.toFixed(0)} ms`.padStart(7)}   ${r.ratio!.toFixed(3)}x  ${r.cpuRatio ? `${r.cpuRatio.toFixed(3)}x` : '-'}\n`,
    );
  }
  process.stdout.write('\nBackend speed (plain fit, same model and seed)\n');
  const pairs: Array<[string, OverheadRow, OverheadRow]> = [
    ['mlp', rows[0]!, rows[2]!],
    ['cnn-small', overhead('cnn-small', 'wasm', reps, 'plain'), overhead('cnn-small', 'cpu', 1, 'plain')],
  ];
  for (const [model, wasm, cpu] of pairs) {
    process.stdout.write(
      `${model.padEnd(10)} wasm ${wasm.plainMs.toFixed(0)} ms, cpu ${cpu.plainMs.toFixed(0)} ms: wasm is ${(cpu.plainMs / wasm.plainMs).toFixed(1)}x faster\n`,
    );
  }
  trainingTable(Math.max(1, Math.min(reps, Number(process.env['BENCH_TRAINING_REPS'] ?? 3))));
  const rep = await benchReports(reps);
  process.stdout.write(`\nReports (${rep.reports} sample results x ${reps} rounds; goal < 500 ms per PDF)\n`);
  process.stdout.write(`HTML per report: median ${rep.htmlMedianMs.toFixed(0)} ms\n`);
  process.stdout.write(`${pagesLine(rep.pages)}\n`);
  process.stdout.write(
    `PDF per report, warm browser: median ${rep.pdfWarmMedianMs.toFixed(0)} ms, max ${rep.pdfWarmMaxMs.toFixed(0)} ms\n`,
  );
  process.stdout.write(
    `Cold \`nnaudit render\` (fresh process, one report, median): HTML ${rep.coldRenderHtmlMs.toFixed(0)} ms, HTML + PDF ${rep.coldRenderPdfMs.toFixed(0)} ms\n`,
  );
  const q = await benchQueue();
  process.stdout.write(
    '\nQueue (Redis, audit workers as separate processes; latency: iris fixture, throughput: healthy fixture)\n',
  );
  if (typeof q === 'string') {
    process.stdout.write(`${q}\n`);
    return;
  }
  process.stdout.write(
    `End-to-end latency of one audit (enqueue -> result), warm worker: ${q.latencyMs.map((v) => `${v.toFixed(0)} ms`).join(', ')}\n`,
  );
  process.stdout.write(
    `Audits per minute: 1 worker ${q.perMinute[1]!.toFixed(0)}, 2 workers ${q.perMinute[2]!.toFixed(0)} (${(q.perMinute[2]! / q.perMinute[1]!).toFixed(2)}x on ${os.cpus().length} cores)\n`,
  );
  const m = q.memory;
  process.stdout.write(
    `Memory over ${m.audits} audits in one process${m.gc ? ' (collected before each reading)' : ' (no --expose-gc: RSS includes uncollected garbage)'}: tensors ${m.tensorsBefore} -> ${m.tensorsAfter}; ` +
      `RSS ${m.rssStartMb.toFixed(0)} MB -> ${m.rssAfter10Mb.toFixed(0)} MB after 10 -> ${m.rssEndMb.toFixed(0)} MB after 50; JS heap ${m.heapStartMb.toFixed(0)} -> ${m.heapEndMb.toFixed(0)} MB\n`,
  );
}

await main();
