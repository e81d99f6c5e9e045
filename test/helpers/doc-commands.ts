/**
 * The `nnaudit ...` commands the documentation shows a user: lines of fenced code blocks in README.md and docs/*.md,
 * inline code spans in their prose, and the `.example(...)` of every command's --help. Each comes with where it was
 * found and the exit code its comment documents ("# exit 1"), so test/docs/examples.test.ts can parse and run it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { TOP_EXAMPLES } from '../../src/cli/main.js';
import { ROOT } from './cli.js';

export interface DocCommand {
  /** file:line, or "<command> --help". */
  where: string;
  /** The words after `nnaudit`, unquoted, as the shell would pass them. */
  argv: string[];
  /** The exit code a comment on the same line gives ("exit 1", "exit 0"), if any. */
  documentedExit: number | null;
  /** A fenced block or --help example (a whole command to copy), or an inline span in prose (often a fragment). */
  kind: 'block' | 'help' | 'inline';
}

export const COMMAND_NAMES = COMMANDS.map((c) => c.command.split(' ')[0]!);

/** Shell words of one command, up to the first unquoted `&&`, `;`, `|`, `>` or `#` (redirections and comments end it). */
export function shellWords(text: string): { words: string[]; rest: string } {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const push = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '<' && word === null && /^<[\w-]+>/.test(text.slice(i))) {
      // A placeholder such as <jobId>, not a redirection.
      const end = text.indexOf('>', i);
      word = text.slice(i, end + 1);
      i = end;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      word = (word ?? '') + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (/\s/.test(c)) push();
    else if (c === '#' && word === null) break;
    else if (c === ';' || c === '|' || c === '>' || c === '`' || (c === '&' && text[i + 1] === '&')) break;
    else word = (word ?? '') + c;
  }
  push();
  return { words, rest: text.slice(i) };
}

const STARTS = /(?:^|[\s;&|(:`"'])(?:npx\s+)?nnaudit\s+(?=\S)/g;

/** Every command on one line of shell: `a && nnaudit b; X=1 npx nnaudit c  # exit 1`. */
function commandsOnLine(line: string): Array<{ argv: string[]; exit: number | null }> {
  const out: Array<{ argv: string[]; exit: number | null }> = [];
  const comment = /\s#\s.*$/.exec(line)?.[0] ?? '';
  const exit = /\bexit (\d)\b/.exec(comment)?.[1];
  const code = line.slice(0, line.length - comment.length); // "# queue it for `nnaudit worker`" is prose
  for (const m of code.matchAll(STARTS)) {
    const { words } = shellWords(code.slice(m.index + m[0].length));
    const first = words[0];
    // "nnaudit dead-relu (trained, ...)" in a sample of output is not a command.
    if (first === undefined || !(COMMAND_NAMES.includes(first) || first.startsWith('-') || first.startsWith('<')))
      continue;
    out.push({ argv: words, exit: exit === undefined ? null : Number(exit) });
  }
  return out;
}

export function markdownFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs.sort()];
}

/** Commands in fenced blocks (lines joined at a trailing backslash) and in inline code spans of one Markdown file. */
export function commandsInMarkdown(file: string): DocCommand[] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const found: DocCommand[] = [];
  let fence = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (/^\s*```/.test(line)) {
      fence = !fence;
      continue;
    }
    if (fence) {
      let joined = line;
      const start = n;
      while (/\\\s*$/.test(joined) && n + 1 < lines.length) joined = joined.replace(/\\\s*$/, ' ') + lines[++n]!;
      for (const c of commandsOnLine(joined))
        found.push({ where: `${file}:${start + 1}`, argv: c.argv, documentedExit: c.exit, kind: 'block' });
    } else {
      for (const span of line.matchAll(/`([^`]*nnaudit [^`]*)`/g)) {
        for (const c of commandsOnLine(span[1]!))
          found.push({ where: `${file}:${n + 1}`, argv: c.argv, documentedExit: null, kind: 'inline' });
      }
    }
  }
  return found;
}

/** A stand-in for yargs that records what a command's builder declares: its examples. */
function recordExamples(): { y: Argv; examples: string[] } {
  const examples: string[] = [];
  const y: Argv = new Proxy({} as Argv, {
    get:
      (_t, prop) =>
      (...args: unknown[]) => {
        if (prop === 'example' && typeof args[0] === 'string') examples.push(args[0]);
        return y;
      },
  });
  return { y, examples };
}

/** The `.example()` commands of every command's --help ($0 is nnaudit). */
export async function helpExamples(): Promise<DocCommand[]> {
  const found: DocCommand[] = TOP_EXAMPLES.flatMap(([e]) =>
    commandsOnLine(e.replace(/\$0/g, 'nnaudit')).map((cmd) => ({
      where: 'nnaudit --help',
      argv: cmd.argv,
      documentedExit: cmd.exit,
      kind: 'help' as const,
    })),
  );
  for (const c of COMMANDS) {
    const { y, examples } = recordExamples();
    (await c.load()).builder(y);
    for (const e of examples) {
      for (const cmd of commandsOnLine(e.replace(/\$0/g, 'nnaudit'))) {
        found.push({
          where: `${c.command.split(' ')[0]} --help`,
          argv: cmd.argv,
          documentedExit: cmd.exit,
          kind: 'help',
        });
      }
    }
  }
  return found;
}
