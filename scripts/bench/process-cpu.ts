import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build that matters). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms, or undefined when it is gone or not Linux. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ...": comm may hold spaces, so count fields from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `run` and adds the CPU time the server process `pid` spent meanwhile to its result
 * (`serverCpuMs`): CPU per operation varies far less between runs than throughput does on a
 * machine whose cores the load generator shares.
 */
export async function withServerCpu<T extends object>(
  pid: number | undefined,
  run: () => Promise<T>,
): Promise<T & { serverCpuMs?: number }> {
  const before = pid === undefined ? undefined : cpuMsOf(pid);
  const result = await run();
  const after = pid === undefined ? undefined : cpuMsOf(pid);
  if (before === undefined || after === undefined) return result;
  return { ...result, serverCpuMs: after - before };
}
