import { readdirSync, readFileSync } from 'node:fs';

/** A process, told apart from a later one that reuses its pid by its start time (pid_max is 32768 here). */
export interface ProcId {
  pid: number;
  start: string;
}
interface Proc extends ProcId {
  ppid: number;
  cmd: string;
}

/** Fields after the command name in /proc/<pid>/stat: comm may contain spaces and parentheses, so split after the last ')'. */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = statFields(name);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), start: f[19]!, cmd });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Every process below `root` (children, grandchildren, ...). */
export function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const c of all)
      if (c.ppid === p) {
        found.push(c);
        frontier.push(c.pid);
      }
  }
  return found;
}

export const isBrowser = (p: Proc): boolean => /chrom/i.test(p.cmd);

/** The process that has this pid now. */
export function identify(pid: number): ProcId {
  return { pid, start: statFields(pid)[19]! };
}

/** Which of these processes still run: same pid and start time, not a zombie (zombies hold no memory). */
export function alive(procs: ProcId[]): ProcId[] {
  return procs.filter((p) => {
    try {
      const f = statFields(p.pid);
      return f[19] === p.start && f[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/** "pid: command line (ppid N)" of a process, for failure messages; "pid: gone" if it has exited. */
export function commandLine(p: ProcId): string {
  try {
    return `${p.pid}: ${readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200)} (ppid ${statFields(p.pid)[1]})`;
  } catch {
    return `${p.pid}: gone`;
  }
}
