/**
 * `npm run bench:profile -- <case or spec file> [--before]`: where one epoch of training spends its time on this
 * backend, kernel by kernel (tf.profile), so the next hot kernel is found by measurement. A case is a name from
 * bench/training-cases.ts (mlp, mlp-784, cnn-bars, mobilenetv2); anything else is read as a spec file and trained
 * through nnaudit's gather for one epoch without probes. `--before` switches nnaudit's wasm kernels off.
 */
import { loadSpecFile } from '../src/config/load-spec.js';
import { gather } from '../src/gather/gather.js';
import { selectBackend } from '../src/gather/backend.js';
import { setWasmKernelOverrides } from '../src/gather/wasm-kernel-bridge.js';
import { tf } from '../src/gather/tf.js';
import { buildCaseModel, TRAINING_CASES } from './training-cases.js';

/** Kernels nnaudit composes from other kernels: their time includes kernels also listed. */
const COMPOSITE = new Set(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);

interface Run { run: () => Promise<unknown>; steps: number; label: string }

async function prepare(target: string): Promise<Run> {
  const c = TRAINING_CASES.find((k) => k.name === target);
  if (c) {
    const { x, y } = c.data();
    const rows = x.shape[0]!;
    return {
      label: c.description, steps: Math.ceil(rows / c.batchSize),
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
  return { label: `${target} (via gather, 1 epoch, no probes)`, steps: Math.ceil(first.data.trainSize / (batch ?? 32)), run: () => gather(spec, { baseDir, noProbes: true }) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const target = args.find((a) => !a.startsWith('--'));
  if (!target) throw new Error(`usage: npm run bench:profile -- <${TRAINING_CASES.map((c) => c.name).join('|')}|spec.json> [--before] [--top N] [--quick]`);
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
  t = performance.now();
  const info = await tf.profile(async () => { await run(); return []; });
  const profiledMs = performance.now() - t;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    byName.set(k.name, e);
  }
  const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.filter(([n]) => !COMPOSITE.has(n)).reduce((s, [, e]) => s + e.ms, 0);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${label}`);
  const unprofiled = quick ? '' : `${wallMs.toFixed(0)} ms (${(wallMs / steps).toFixed(1)} ms/step); `;
  out(`backend ${backend.name}${args.includes('--before') ? ' (nnaudit kernels off)' : ''}; one epoch = ${steps} steps: ${unprofiled}profiled run ${profiledMs.toFixed(0)} ms`);
  out(`${info.kernels.length} kernel calls (${(info.kernels.length / steps).toFixed(0)} per step); kernel time ${kernelMs.toFixed(0)} ms, the rest of the profiled run (JS, tfjs engine, data) ${(profiledMs - kernelMs).toFixed(0)} ms = ${(100 * (1 - kernelMs / profiledMs)).toFixed(0)}%`);
  out('');
  out('kernel                                  calls/step   ms/step   share of profiled run');
  for (const [name, e] of rows.slice(0, top)) {
    out(`${(name + (COMPOSITE.has(name) ? ' *' : '')).padEnd(40)}${(e.calls / steps).toFixed(1).padStart(10)}${(e.ms / steps).toFixed(2).padStart(10)}   ${(100 * e.ms / profiledMs).toFixed(1).padStart(5)}%`);
  }
  if (rows.some(([n]) => COMPOSITE.has(n))) out('* composed by nnaudit from kernels also listed: its time includes theirs');
}

await main();
