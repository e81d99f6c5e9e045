import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { commandsInMarkdown, helpExamples, markdownFiles, type DocCommand } from '../helpers/doc-commands.js';
import { ROOT, runCli, STACK_LINE } from '../helpers/cli.js';
import { describeWith, has, sharedDir } from '../helpers/requirements.js';

/**
 * Every `nnaudit ...` command the documentation shows (README.md, docs/*.md, each command's --help examples) is
 * parsed by the CLI's own yargs commands, so a renamed or removed flag fails here. The cheap ones, whose inputs exist
 * (the bundled fixtures, or ../shared for the real-model examples), are run for real and must give their documented
 * exit code, or a verdict (0 or 1) when none is documented.
 */

const inMarkdown = markdownFiles().flatMap(commandsInMarkdown);
const inHelp = await helpExamples();
const all: DocCommand[] = [...inMarkdown, ...inHelp];

/** Placeholders a reader fills in: `<jobId>` -> 42, `[--state failed]` -> --state failed, `<command>` -> audit. */
function filled(argv: string[]): string[] {
  return argv
    .map((w) => (w === '<command>' ? 'audit' : /^<[\w-]+>$/.test(w) ? '42' : w.replace(/^\[|\]$/g, '')))
    .filter((w) => w !== '');
}

/** Parses as `nnaudit` does (strict, every command with its own builder), running no handler. */
async function dryParse(argv: string[]): Promise<string | null> {
  const y = yargs().scriptName('nnaudit').strict().demandCommand(1).exitProcess(false).help().version('0');
  for (const c of COMMANDS)
    y.command(
      c.command,
      c.describe,
      async (sub) => (await c.load()).builder(sub),
      () => undefined,
    );
  try {
    let failure: string | null = null;
    await y
      .fail((msg, err) => {
        failure = msg ?? err?.message ?? 'failed';
      })
      .parseAsync(argv, {}, () => undefined);
    return failure;
  } catch (e) {
    return (e as Error).message;
  }
}

describe("documented commands parse with the CLI's own options", () => {
  it('finds the commands: README, docs and --help all show some', () => {
    expect(
      inMarkdown.filter((c) => c.where.startsWith('README.md') && c.kind === 'block').length,
    ).toBeGreaterThanOrEqual(5);
    expect(inMarkdown.filter((c) => c.where.startsWith('docs/')).length).toBeGreaterThanOrEqual(30);
    expect(new Set(inHelp.map((c) => c.where)).size).toBe(COMMANDS.length + 1); // every command's --help, and nnaudit --help
  });

  it.each(all.map((c) => [`${c.where}: nnaudit ${c.argv.join(' ')}`, c] as const))('%s', async (_name, c) => {
    const failure = await dryParse(filled(c.argv));
    // An inline span in prose may name a command without its arguments ("`nnaudit render --pdf`"); its flags must exist.
    if (c.kind === 'inline' && failure && /Not enough non-option arguments|Missing required argument/.test(failure))
      return;
    expect(failure).toBeNull();
  });
});

/** Flags whose value is read (the rest of the paths are outputs, or a column name for --label). */
const INPUT_FLAGS = new Set(['--model', '--data', '--baseline', '--history', '--architecture']);
/** Worth running here: no queue, no retraining of many candidates, no multi-seed run, no fixture-wide demo. */
const RUNS = new Set(['audit', 'gather', 'analyze', 'render']);

function inputsOf(argv: string[]): string[] {
  const inputs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (w.startsWith('-')) {
      if (INPUT_FLAGS.has(w) && argv[i + 1]) inputs.push(argv[++i]!);
      else if (
        !['--pdf', '--json', '--fail-fast', '--try-fixes', '-q', '--quiet', '--wait'].includes(w) &&
        argv[i + 1] &&
        !argv[i + 1]!.startsWith('-')
      )
        i++;
    } else inputs.push(w);
  }
  return inputs;
}

function cheap(argv: string[]): boolean {
  if (!RUNS.has(argv[0]!)) return false;
  if (argv.some((w) => ['--try-fixes', '--seeds', '--help', '--json'].includes(w))) return false;
  const pdf = argv.includes('--pdf') || argv.some((w, i) => argv[i - 1] === '--format' && w.split(',').includes('pdf'));
  return !pdf || has('chromium');
}

/** A folder to run in, as a clone with ../shared beside it: fixtures/ is the checkout's, ../shared the corpus. */
function workdir(): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-examples-'));
  const proj = path.join(base, 'nnaudit');
  mkdirSync(proj);
  symlinkSync(path.join(ROOT, 'fixtures'), path.join(proj, 'fixtures'));
  if (existsSync(sharedDir())) symlinkSync(sharedDir(), path.join(base, 'shared'));
  return proj;
}

/** The distinct cheap commands, in the order shown: a render after its audit finds the audit's result (one folder for all). */
function runnable(shared: boolean): Array<[string, DocCommand]> {
  const seen = new Set<string>();
  return all
    .filter((c) => c.kind !== 'inline' && cheap(c.argv) && c.argv.some((w) => w.startsWith('../shared/')) === shared)
    .filter((c) => {
      const k = c.argv.join(' ');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((c) => [`${c.where}: nnaudit ${c.argv.join(' ')}`, c]);
}

async function runExample(
  c: DocCommand,
  cwd: string,
  extra: string[] = [],
): Promise<{ code: number | null; stdout: string }> {
  const missing = inputsOf(c.argv).filter((p) => /[/.]/.test(p) && !existsSync(path.resolve(cwd, p)));
  if (missing.length) {
    // A placeholder file (spec.json, path/to/model.json): parsed above, not runnable as written.
    process.stdout.write(`[parsed only] ${c.where}: nnaudit ${c.argv.join(' ')} (no ${missing.join(', ')})\n`);
    return { code: null, stdout: '' };
  }
  const r = await runCli([...c.argv, ...(c.argv.includes('-q') ? [] : ['-q']), ...extra], { cwd });
  const context = `${c.where}\n${r.stderr}`;
  expect(r.stdout + r.stderr, context).not.toMatch(STACK_LINE);
  if (c.documentedExit !== null) expect(r.code, context).toBe(c.documentedExit);
  else if (c.argv[0] === 'audit' || c.argv[0] === 'analyze') expect([0, 1], context).toContain(r.code);
  else expect(r.code, context).toBe(0);
  return r;
}

describe.sequential('documented commands run as written on the bundled fixtures', () => {
  const cwd = workdir();
  it.each(runnable(false))(
    '%s',
    async (_name, c) => {
      await runExample(c, cwd);
    },
    180_000,
  );
});

describeWith(
  ['shared'],
  'documented commands run as written on ../shared (the real churn model on its raw CSV)',
  () => {
    const cwd = workdir();
    const churn = all.filter(
      (c) =>
        c.argv.includes('../shared/datasets/churn-modelling.csv') && c.argv.some((a) => a.includes('k3-churn-ann')),
    );

    it('the churn example, the same in README.md, docs/spec.md and audit --help, gives a real verdict: WARN, accuracy 0.8675', async () => {
      expect(new Set(churn.map((c) => c.where.split(':')[0]))).toEqual(
        new Set(['README.md', 'docs/spec.md', 'audit --help']),
      );
      expect(new Set(churn.map((c) => c.argv.join(' '))).size).toBe(1);
      const r = await runExample(churn[0]!, cwd, ['--out', 'out/churn']);
      expect(r.code).toBe(0);
      const result = JSON.parse(readFileSync(path.join(cwd, 'out/churn/result.json'), 'utf8')) as {
        gate: { verdict: string };
        evaluation: { rows: number; metrics: Record<string, number> };
        runWarnings: string[];
      };
      expect(result.gate.verdict).toBe('WARN'); // dead-relu and underfitting warnings: churn is hard, chance is 0.79
      expect(result.evaluation.rows).toBe(2000);
      expect(result.evaluation.metrics['accuracy']).toBeGreaterThan(0.86); // 0.8675 measured; 0.74 with Geography one-hot in the wrong place
      expect(result.runWarnings.join('\n')).toMatch(
        /Gender ordinal as Female=0, Male=1; Geography one-hot as 3 columns in the order France, Germany, Spain/,
      );
    }, 300_000);

    it.each(runnable(true).filter(([, c]) => !churn.includes(c)))(
      '%s',
      async (_name, c) => {
        await runExample(c, cwd);
      },
      600_000,
    );
  },
);
