import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { audit } from '../../audit/audit.js';
import { writeOutputs } from '../../report/write-outputs.js';
import { summaryText } from '../../report/summary-text.js';
import { progressReporter } from '../progress.js';
import { specFromFlags } from '../spec-from-flags.js';
import { withModelFlags, withRunOptions } from '../common-options.js';
import { runCommand } from '../run-command.js';
import { checkOutDir, checkOutFile } from '../check-out-dir.js';
import { PRESET_NAMES } from '../../result/vocabulary.js';
import { FORMAT_HELP, parseFormats } from '../output-formats.js';
import { compareWithFile, withBaselineOption } from '../baseline-option.js';
import { tryFixes } from '../../fix/fix-spec.js';
import { fixSummary, fixTable, writeFixedSpec } from '../../fix/report.js';
import { runLimits } from '../run-limits.js';

/** The bank-churn example: run for real by test/docs/examples.test.ts when ../shared is present. */
const CHURN =
  '--model ../shared/real-models/k3-churn-ann/model.keras --data ../shared/datasets/churn-modelling.csv --label Exited ' +
  '--features CreditScore,Gender,Age,Tenure,Balance,NumOfProducts,HasCrCard,IsActiveMember,EstimatedSalary,Geography ' +
  '--categorical Geography,Gender:ordinal --normalize standardize';

export function builder(y: Argv) {
  return withBaselineOption(withRunOptions(withModelFlags(y)))
    .positional('spec', { type: 'string', describe: 'Spec file (JSON or YAML)' })
    .option('out', { alias: 'o', type: 'string', describe: 'Folder for result.json (and reports)' })
    .option('format', { type: 'string', default: 'json', describe: FORMAT_HELP })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print the result JSON on stdout (progress goes to stderr)',
    })
    .option('junit', { type: 'string', describe: 'Write a JUnit XML file (one test case per analyzer) for CI' })
    .option('markdown', { type: 'string', describe: 'Write a Markdown summary (CI job summary, PR comment)' })
    .option('preset', { choices: PRESET_NAMES, describe: 'Gate preset (overrides the spec)' })
    .option('fail-fast', {
      type: 'boolean',
      describe:
        "Stop training once a finding that can be judged early (dead units, NaN, exploding gradients...) has failed for its number of probes (default: the spec's gate.failFast)",
    })
    .option('try-fixes', {
      type: 'boolean',
      default: false,
      describe:
        'When findings fail (model.train specs): retrain with candidate repairs, mark the findings a repair verifiably clears, write fixed.yaml to --out',
    })
    .option('max-trials', {
      type: 'number',
      default: 12,
      describe: 'With --try-fixes: retrain at most this many candidates',
    })
    .option('time-budget', {
      type: 'number',
      default: 900,
      describe: 'With --try-fixes: start no new candidate after this many seconds',
    })
    .example(
      '$0 audit fixtures/specs/dead-relu.json --fail-fast',
      'Stops at epoch 3 of 20: the dead layer cannot revive',
    )
    .example(
      '$0 audit fixtures/specs/dead-relu.json --try-fixes --out out/dr',
      'Recommendations say which repair was verified; writes out/dr/fixed.yaml',
    )
    .example('$0 audit fixtures/specs/dead-relu.json --out out/dead-relu', 'Exit 1: the gate fails and says why')
    .example(
      '$0 audit fixtures/specs/overfitting.json --out out/of --format html,pdf,json',
      'Also write report.html and report.pdf',
    )
    .example('$0 audit --model m/model.json --data d.csv --label y --out out/m', 'Audit a saved model, no spec needed')
    .example(
      '$0 audit --model m/model.json --data d.csv --label y --loss meanSquaredError',
      '--loss when model.json has no training config',
    )
    .example(
      '$0 audit --model model.keras --data photos/ --classes cat,dog --rescale 1/255 --validation-split 0',
      'Keras 3 archive on a folder of class folders, class order and scaling as trained; every image evaluated',
    )
    .example(
      '$0 audit --model model.onnx --data photos/ --rescale 1/255 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --loss sparseCategoricalCrossentropy',
      'A PyTorch torch.onnx.export: NCHW images, torchvision Normalize, logits detected',
    )
    .example(
      `$0 audit ${CHURN}`,
      'A saved model on a raw CSV with ids and text columns: --features in its trained order (docs/spec.md)',
    )
    .example(
      '$0 audit --model m/model.json --data x.npy --label y.npy',
      'NumPy arrays (y.npy is found beside x.npy when --label is left out)',
    )
    .example(
      '$0 audit --model mlp.h5 --data t10k-images-idx3-ubyte.gz --rescale 1/255',
      'MNIST-family IDX files (labels file found beside); 28x28 images are flattened for a 784-input MLP',
    )
    .example('$0 audit spec.yaml --json > result.json', 'Result JSON on stdout')
    .example(
      '$0 audit spec.yaml --out out/today --baseline out/yesterday/result.json',
      'What got worse since yesterday; maxIncrease assertions gate on it',
    )
    .example(
      '$0 audit spec.yaml --out out --format json,github,gitlab',
      'In CI: annotations on the GitHub run, a GitLab Code Quality report',
    )
    .epilogue(
      'A loaded model is audited as saved (no training) unless --epochs N; it is evaluated on the validation split, or on every row with --validation-split 0. ' +
        'Data options not covered by flags (labelKind, shape, npz array names...) go in a spec file: see docs/data-sources.md.\n\n' +
        'Exit codes: 0 gate passed, 1 an error-level assertion failed, 2 bad input or a run error.',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const formats = parseFormats(argv.format, { out: argv.out, json: argv.json });
    if (argv.out) checkOutDir(argv.out); // before training: a run must not fail to save after minutes of work
    if (argv.junit) checkOutFile(argv.junit, '--junit');
    if (argv.markdown) checkOutFile(argv.markdown, '--markdown');
    const loaded = specFromFlags({ ...argv, spec: argv.spec, probeSize: argv.probeSize });
    const label =
      loaded.spec.name ?? (loaded.file ? path.basename(loaded.file).replace(/\.(json|ya?ml)$/i, '') : 'audit');
    const report = progressReporter({ quiet: argv.quiet, label });
    const limits = runLimits(loaded.spec.limits);
    let audited;
    try {
      audited = await audit(loaded.spec, {
        baseDir: loaded.baseDir,
        backend: argv.backend,
        onProgress: (p) => {
          limits.check(p);
          report(p);
        },
        ...(argv.failFast !== undefined ? { failFast: argv.failFast } : {}),
      });
      limits.check();
    } catch (e) {
      throw limits.error() ?? e; // the limit is the cause, not the error the stop raised inside training
    } finally {
      limits.dispose();
    }
    const result = await compareWithFile(audited, argv.baseline);
    const fixText = argv.tryFixes ? await verifyFixes(argv, loaded, result) : null;
    if (argv.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    const out = argv.json ? process.stderr : process.stdout;
    if (!argv.quiet || !argv.json) out.write(`${summaryText(result)}\n`);
    if (fixText) out.write(`\n${fixText}\n`);
    const written = await writeOutputs(result, {
      formats,
      ...(loaded.file
        ? { sourceFile: path.relative(process.cwd(), loaded.file) }
        : argv.model && !/^https?:/.test(argv.model)
          ? { sourceFile: argv.model }
          : {}),
      ...(argv.out ? { outDir: argv.out } : {}),
      ...(argv.junit ? { junit: argv.junit } : {}),
      ...(argv.markdown ? { markdown: argv.markdown } : {}),
    });
    for (const file of Object.values(written)) if (!argv.quiet) out.write(`wrote ${file}\n`);
    return result.gate.exitCode;
  });
}

/** --try-fixes: retrain candidate repairs for the failing findings; marks the result's findings, writes fixed.yaml to --out. */
async function verifyFixes(
  argv: Args,
  loaded: ReturnType<typeof specFromFlags>,
  result: Awaited<ReturnType<typeof audit>>,
): Promise<string | null> {
  if (!result.findings.some((f) => f.status === 'fail')) return null;
  if (!('train' in loaded.spec.model))
    return 'Fixes not tried: --try-fixes retrains the model, and this spec loads a saved one (model.load).';
  const report = await tryFixes(loaded.spec, result, {
    baseDir: loaded.baseDir,
    backend: argv.backend,
    maxTrials: argv.maxTrials,
    timeBudgetMs: argv.timeBudget * 1000,
  });
  const lines = [...(report.trials.length ? [fixTable(report), ''] : []), fixSummary(report)];
  if (report.best && argv.out)
    lines.push(
      `wrote ${writeFixedSpec(report.best.spec, report.best.repairs, path.join(argv.out, 'fixed.yaml'), loaded.baseDir)}`,
    );
  return lines.join('\n');
}
