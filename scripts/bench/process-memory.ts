import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of one process in bytes (VmRSS), or undefined when it is gone or not Linux. */
export function rssOf(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** A process's children, as /proc says (pid, command name). */
export function childrenOf(parent: number): { pid: number; name: string }[] {
  const found: { pid: number; name: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const dir of pids) {
    try {
      const stat = readFileSync(`/proc/${dir}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === parent) found.push({ pid: Number(dir), name: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** RSS of a process and every descendant, summed (Postgres: the postmaster and its backends). */
export function treeRssOf(pid: number): number | undefined {
  const own = rssOf(pid);
  if (own === undefined) return undefined;
  return childrenOf(pid).reduce((sum, c) => sum + (treeRssOf(c.pid) ?? 0), own);
}
