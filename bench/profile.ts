/**
 * `npm run bench:profile -- <case or spec file> [--before]`: where one epoch of training spends its time on this
 * backend, kernel by kernel (tf.profile), so the next hot kernel is found by measurement. A case is a name from
 * bench/training-cases.ts (mlp, mlp-784, cnn-bars, mobilenetv2); anything else is read as a spec file and trained
 * through nnaudit's gather for one epoch without probes. `--before` switches nnaudit's wasm kernels off.
 */
import { loadSpecFile } from '../src/config/load-spec.js';
import { gather } from '../src/gather/gather.js';
import { selectBackend } from '../src/gather/backend/backend.js';
import { setWasmKernelOverrides } from '../src/gather/backend/wasm-kernel-bridge.js';
import { tf } from '../src/gather/tf.js';
import { buildCaseModel, TRAINING_CASES } from './training-cases.js';

/**
 * Kernels nnaudit composes from other kernels for some shapes (the SIMD loops cover the rest): their time may
 * include kernels also listed.
 */
const COMPOSITE = new Set([
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  // tfjs' fused conv2d is a custom-gradient op around the FusedConv2D kernel: listed under both names.
  'fusedConv2d__op',
]);

interface Run {
  run: () => Promise<unknown>;
  steps: number;
  label: string;
}

async function prepare(target: string): Promise<Run> {
  const c = TRAINING_CASES.find((k) => k.name === target);
  if (c) {
    const { x, y } = c.data();
    const rows = x.shape[0]!;
    return {
      label: c.description,
      steps: Math.ceil(rows / c.batchSize),
      run: async () => {
        const model = await buildCaseModel(c);
        try {
          await model.fit(x, y, { epochs: 1, batchSize: c.batchSize, shuffle: true, verbose: 0 });
        } finally {
          model.dispose();
        }
      },
    };
  }
  const { spec, baseDir } = loadSpecFile(target);
  if ('train' in spec.model) spec.model.train.epochs = 1;
  else spec.model.load.epochs = 1;
  const first = await gather(spec, { baseDir, noProbes: true });
  const batch = 'train' in spec.model ? spec.model.train.batchSize : first.data.trainSize;
  return {
    label: `${target} (via gather, 1 epoch, no probes)`,
    steps: Math.ceil(first.data.trainSize / (batch ?? 32)),
    run: () => gather(spec, { baseDir, noProbes: true }),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const target = args.find((a) => !a.startsWith('--'));
  if (!target)
    throw new Error(
      `usage: npm run bench:profile -- <${TRAINING_CASES.map((c) => c.name).join('|')}|spec.json> [--before] [--top N] [--quick] [--runs N]`,
    );
  const top = Number(args[args.indexOf('--top') + 1] ?? 15) || 15;
  const backend = await selectBackend();
  setWasmKernelOverrides(!args.includes('--before'));
  const { run, steps, label } = await prepare(target);
  // --quick: one profiled run and no warm-up, for models whose epoch takes minutes.
  const quick = args.includes('--quick');
  if (!quick) await run(); // warm-up
  let t = performance.now();
  if (!quick) await run();
  const wallMs = performance.now() - t;
  // --runs N: N profiled runs, each kernel's time the median over them. On a shared machine one run's shares move
  // by several points (a kernel of a few microseconds that is preempted once looks expensive).
  const runs = args.includes('--runs') ? Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 1) : 1;
  const perRun: Array<Map<string, { ms: number; calls: number }>> = [];
  const runMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    t = performance.now();
    const info = await tf.profile(async () => {
      await run();
      return [];
    });
    runMs.push(performance.now() - t);
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls++;
      byName.set(k.name, e);
    }
    perRun.push(byName);
  }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  const profiledMs = median(runMs);
  const names = new Set(perRun.flatMap((m) => [...m.keys()]));
  const rows = [...names]
    .map(
      (n) =>
        [
          n,
          {
            ms: median(perRun.map((m) => m.get(n)?.ms ?? 0)),
            calls: median(perRun.map((m) => m.get(n)?.calls ?? 0)),
          },
        ] as const,
    )
    .sort((x, y) => y[1].ms - x[1].ms);
  const callCount = rows.reduce((sum, [, e]) => sum + e.calls, 0);
  const kernelMs = rows.filter(([n]) => !COMPOSITE.has(n)).reduce((s, [, e]) => s + e.ms, 0);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${label}`);
  const unprofiled = quick ? '' : `${wallMs.toFixed(0)} ms (${(wallMs / steps).toFixed(1)} ms/step); `;
  out(
    `backend ${backend.name}${args.includes('--before') ? ' (nnaudit kernels off)' : ''}; one epoch = ${steps} steps: ${unprofiled}profiled run ${profiledMs.toFixed(0)} ms`,
  );
  if (runs > 1) out(`${runs} profiled runs: medians per kernel and of the run time`);
  out(
    `${callCount} kernel calls (${(callCount / steps).toFixed(0)} per step); kernel time ${kernelMs.toFixed(0)} ms, the rest of the profiled run (JS, tfjs engine, data) ${(profiledMs - kernelMs).toFixed(0)} ms = ${(100 * (1 - kernelMs / profiledMs)).toFixed(0)}%`,
  );
  out('');
  out('kernel                                  calls/step   ms/step   share of profiled run');
  for (const [name, e] of rows.slice(0, top)) {
    out(
      `${(name + (COMPOSITE.has(name) ? ' *' : '')).padEnd(40)}${(e.calls / steps).toFixed(1).padStart(10)}${(e.ms / steps).toFixed(2).padStart(10)}   ${((100 * e.ms) / profiledMs).toFixed(1).padStart(5)}%`,
    );
  }
  if (rows.some(([n]) => COMPOSITE.has(n)))
    out(
      '* composed by nnaudit from kernels also listed where its SIMD loop does not apply: then its time includes theirs',
    );
}

await main();
