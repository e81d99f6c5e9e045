import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { gather } from '../../gather/gather.js';
import { writeJson } from '../../artifacts/io.js';
import { progressReporter } from '../progress.js';
import { specFromFlags } from '../spec-from-flags.js';
import { withModelFlags, withRunOptions } from '../common-options.js';
import { runCommand } from '../run-command.js';
import { UserInputError } from '../../errors.js';
import { runLimits } from '../run-limits.js';

export function builder(y: Argv) {
  return withRunOptions(withModelFlags(y))
    .positional('spec', { type: 'string', describe: 'Spec file (JSON or YAML)' })
    .option('out', {
      alias: 'o',
      type: 'string',
      demandOption: true,
      describe: 'Folder for artifacts.json (and spec.json)',
    })
    .example(
      '$0 gather spec.json --out a/ && $0 analyze a/artifacts.json --out r/',
      'Gather once, analyze many times with other thresholds',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const loaded = specFromFlags({ ...argv, probeSize: argv.probeSize });
    if (loaded.spec.seeds > 1)
      throw new UserInputError(
        'spec',
        'gather records one training run: use `nnaudit audit --seeds N` for multi-seed audits',
      );
    const report = progressReporter({ quiet: argv.quiet, label: loaded.spec.name ?? 'gather' });
    const limits = runLimits(loaded.spec.limits); // as in audit and under a worker
    let artifacts;
    try {
      artifacts = await gather(loaded.spec, {
        baseDir: loaded.baseDir,
        backend: argv.backend,
        onProgress: (p) => {
          limits.check(p);
          report(p);
        },
      });
      limits.check();
    } catch (e) {
      throw limits.error() ?? e;
    } finally {
      limits.dispose();
    }
    const file = path.join(argv.out, 'artifacts.json');
    await writeJson(file, artifacts);
    // The spec travels with the artifacts so `analyze` applies the same thresholds and gate by default.
    await writeJson(path.join(argv.out, 'spec.json'), loaded.spec);
    if (!argv.quiet) process.stdout.write(`wrote ${file}\n`);
    return 0;
  });
}
