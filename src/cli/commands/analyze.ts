import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { readArtifacts } from '../../artifacts/io.js';
import { analyze } from '../../audit/build-result.js';
import { loadSpecFile } from '../../config/load-spec.js';
import { writeOutputs } from '../../report/write-outputs.js';
import { summaryText } from '../../report/summary-text.js';
import { runCommand } from '../run-command.js';
import { PRESET_NAMES } from '../../result/vocabulary.js';
import { FORMAT_HELP, parseFormats } from '../output-formats.js';

export function builder(y: Argv) {
  return y
    .positional('artifacts', {
      type: 'string',
      demandOption: true,
      describe: 'artifacts.json written by `nnaudit gather`',
    })
    .option('spec', {
      type: 'string',
      describe: 'Spec whose analyzers/gate sections apply (default: spec.json beside the artifacts)',
    })
    .option('out', { alias: 'o', type: 'string', describe: 'Folder for result.json (and reports)' })
    .option('format', { type: 'string', default: 'json', describe: FORMAT_HELP })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout' })
    .option('junit', { type: 'string', describe: 'Write a JUnit XML file' })
    .option('markdown', { type: 'string', describe: 'Write a Markdown summary' })
    .option('preset', {
      choices: PRESET_NAMES,
      describe: "Gate preset (default: the spec's gate.preset, else recommended)",
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'Do not list the files written (the summary still prints)',
    })
    .example(
      '$0 analyze a/artifacts.json --out r/ --preset strict',
      'Re-judge recorded artifacts under the strict preset',
    )
    .example('$0 analyze a/artifacts.json --out r/ --format json,html,junit', 'The same outputs as audit --format');
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const formats = parseFormats(argv.format, { out: argv.out, json: argv.json }); // before reading: a typo fails at once
    const artifacts = await readArtifacts(argv.artifacts);
    const besideSpec = path.join(path.dirname(argv.artifacts), 'spec.json');
    const specFile = argv.spec ?? (existsSync(besideSpec) ? besideSpec : undefined);
    const spec = specFile ? loadSpecFile(specFile).spec : null;
    const gate = { preset: argv.preset ?? spec?.gate.preset ?? 'recommended', assertions: spec?.gate.assertions ?? {} };
    const result = analyze(artifacts, { spec, gate, analyzers: spec?.analyzers ?? {} });
    const written = await writeOutputs(result, {
      formats,
      ...(specFile ? { sourceFile: path.relative(process.cwd(), specFile) } : {}),
      ...(argv.out ? { outDir: argv.out } : {}),
      ...(argv.junit ? { junit: argv.junit } : {}),
      ...(argv.markdown ? { markdown: argv.markdown } : {}),
    });
    if (argv.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    const out = argv.json ? process.stderr : process.stdout;
    out.write(`${summaryText(result)}\n`);
    for (const file of Object.values(written)) if (!argv.quiet) out.write(`wrote ${file}\n`);
    return result.gate.exitCode;
  });
}
