import { readdirSync, readFileSync } from 'node:fs';

interface Proc { pid: number; ppid: number; cmd: string }

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid, cmd });
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
    for (const c of all) if (c.ppid === p) { found.push(c); frontier.push(c.pid); }
  }
  return found;
}

export const isBrowser = (p: Proc): boolean => /chrom/i.test(p.cmd);

/** Which of these pids still exist (zombies count as gone: they hold no memory). */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** "pid: command line (ppid N)" of a process, for failure messages; "pid: gone" if it has exited. */
export function commandLine(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200)} (ppid ${ppid})`;
  } catch {
    return `${pid}: gone`;
  }
}
