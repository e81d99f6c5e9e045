import path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { audit } from '../../audit/audit.js';
import { writeOutputs } from '../../report/write-outputs.js';
import { fixtureExpectations, fixtureSpecPath } from '../fixtures.js';
import { runCommand } from '../run-command.js';
import { progressReporter } from '../progress.js';
import type { Finding } from '../../result/schema.js';
import { statusBadge } from '../../result/vocabulary.js';
import { PdfRenderer } from '../../report/pdf/pdf-renderer.js';

export function builder(y: Argv) {
  return y
    .option('out', { alias: 'o', type: 'string', default: 'out', describe: 'Writes <out>/<fixture>/result.json' })
    .option('only', { type: 'string', describe: 'Comma-separated fixture names' })
    .option('pdf', {
      type: 'boolean',
      default: false,
      describe: 'Also write report.pdf for each fixture (needs Chromium)',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'No per-epoch progress: only the verdict table',
    })
    .example('$0 demo', 'Runs healthy, dead-relu, vanishing-gradients, ... and prints the verdict table');
}

type Args = ArgumentsCamelCase<ReturnType<typeof builder> extends Argv<infer T> ? T : never>;

export function handler(argv: Args): Promise<void> {
  return runCommand(async () => {
    const expected = fixtureExpectations();
    const names = argv.only ? argv.only.split(',') : Object.keys(expected);
    const rows: Array<{
      name: string;
      verdict: string;
      cells: Map<string, { status: Finding['status']; ok: boolean }>;
      seconds: number;
    }> = [];
    let mismatches = 0;
    const pdfRenderer = argv.pdf ? new PdfRenderer() : undefined;
    try {
      for (const name of names) {
        const want = expected[name];
        if (!want) throw new Error(`no fixture "${name}"; known: ${Object.keys(expected).join(', ')}`);
        const started = Date.now();
        const result = await audit(fixtureSpecPath(name), {
          onProgress: progressReporter({ quiet: argv.quiet, label: name }),
        });
        await writeOutputs(result, {
          outDir: path.join(argv.out, name),
          formats: argv.pdf ? ['json', 'html', 'pdf'] : ['json', 'html'],
          ...(pdfRenderer ? { pdfRenderer } : {}),
        });
        const cells = new Map(
          result.findings.map((f) => [
            f.id,
            { status: f.status, ok: (want[f.id] ?? ['pass', 'notApplicable']).includes(f.status) },
          ]),
        );
        mismatches += [...cells.values()].filter((c) => !c.ok).length;
        rows.push({ name, verdict: result.gate.verdict, cells, seconds: (Date.now() - started) / 1000 });
      }
    } finally {
      await pdfRenderer?.close();
    }
    const ids = [...new Set(rows.flatMap((r) => [...r.cells.keys()]))].sort();
    const w = Math.max(...rows.map((r) => r.name.length), 7);
    const head = `${'fixture'.padEnd(w)}  verdict  ${ids.map((id) => id.slice(0, 10).padEnd(10)).join(' ')}  time`;
    const lines = [head, '-'.repeat(head.length)];
    for (const r of rows) {
      const cells = ids.map((id) => {
        const c = r.cells.get(id);
        return (c ? `${statusBadge(c.status)}${c.ok ? '' : '(!)'}` : '-').padEnd(10);
      });
      lines.push(`${r.name.padEnd(w)}  ${r.verdict.padEnd(7)}  ${cells.join(' ')}  ${r.seconds.toFixed(1)}s`);
    }
    lines.push(
      '',
      mismatches === 0
        ? `All ${rows.length} fixtures match their ground truth. Results in ${argv.out}/<fixture>/result.json and report.html${argv.pdf ? ', report.pdf' : ''}`
        : `${mismatches} finding(s) differ from the ground truth, marked (!). Results in ${argv.out}/<fixture>/`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return mismatches === 0 ? 0 : 1;
  });
}
