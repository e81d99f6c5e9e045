import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { readJsonFile } from '../../artifacts/io.js';
import { upgradeResult } from '../../result/upgrade.js';
import { writeOutputs } from '../../report/write-outputs.js';
import { FORMAT_HELP, parseFormats } from '../output-formats.js';
import { runCommand } from '../run-command.js';
import { checkOutDir } from '../check-out-dir.js';
import { compareWithFile, withBaselineOption } from '../baseline-option.js';

export function builder(y: Argv) {
  return withBaselineOption(y)
    .positional('result', { type: 'string', demandOption: true, describe: 'result.json written by audit or analyze' })
    .option('out', {
      alias: 'o',
      type: 'string',
      describe: 'Folder for report.html/report.pdf (default: beside result.json)',
    })
    .option('format', { type: 'string', default: 'html', describe: FORMAT_HELP })
    .option('pdf', {
      type: 'boolean',
      default: false,
      describe: 'Also write report.pdf (needs Chromium: PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium)',
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Do not list the files written' })
    .example('$0 render out/of/result.json --pdf --out out/of', 'report.html and report.pdf from a stored result')
    .example('$0 render out/of/result.json --format github', 'GitHub Actions annotations from a stored result')
    .epilogue(
      'Old results are upgraded to the current schema before rendering. Exit 2 when the result or the browser is missing.',
    );
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const result = await compareWithFile(
      upgradeResult(await readJsonFile(argv.result, 'result file'), argv.result),
      argv.baseline,
    );
    if (argv.out) checkOutDir(argv.out); // a clear "is a file" instead of ENOTDIR from mkdir
    const outDir = argv.out ?? path.dirname(argv.result);
    const formats = parseFormats(argv.format, { out: outDir, json: false }).filter((f) => f !== 'json'); // result.json exists already
    if (argv.pdf && !formats.includes('pdf')) formats.push('pdf');
    const written = await writeOutputs(result, { outDir, formats });
    for (const file of Object.values(written)) if (!argv.quiet) process.stdout.write(`wrote ${file}\n`);
    return 0;
  });
}
