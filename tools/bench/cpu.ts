// Server CPU time a request, from the server's own counters: utime + stime of /proc/<pid>/stat
// (the whole process, every thread, exited ones included) before and after a fixed number of
// requests. It does not depend on the load generator's speed, only on the work the server does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from './memory.ts';
import { ownCpuTicks } from './proc-stat.ts';

let ticksPerSecond: number | undefined;
/** USER_HZ, the unit of /proc's CPU times (100 on Linux almost everywhere). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function commOf(pid: number): string | undefined {
  return read(`/proc/${pid}/comm`)?.trim();
}

/**
 * The processes that serve: the started process itself, or, for a wrapper like wrangler, every
 * process of its tree whose comm matches `serving` (workerd).
 */
export function servingPids(rootPid: number, serving: RegExp | undefined): number[] {
  if (!serving) return [rootPid];
  return processTree(rootPid).filter((pid) => serving.test(commOf(pid) ?? ''));
}

/** CPU ticks of each pid now (a pid that has gone reads as missing). */
export function cpuTicks(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    const value = stat === undefined ? undefined : ownCpuTicks(stat);
    if (value !== undefined) ticks.set(pid, value);
  }
  return ticks;
}

export interface CpuPerRequest {
  /** Server CPU µs a request: the serving processes' CPU over the run ÷ the requests. */
  usPerRequest: number;
  requests: number;
  cpuMs: number;
  /** The processes counted, as comm:pid. */
  processes: string[];
  /** The rest of the started tree (a wrapper: wrangler's node, esbuild), µs a request; 0 when there is none. */
  wrapperUsPerRequest: number;
  /**
   * Of usPerRequest, the serving process's main thread alone (/proc/<pid>/task/<pid>/stat), where one
   * process serves: the rest is its other threads (a pool's, the engine's helpers). Undefined otherwise.
   */
  mainThreadUsPerRequest?: number;
}

/** Runs `load` (a fixed number of requests) and divides the server's CPU time over it by the requests answered. */
export async function cpuPerRequest(
  rootPid: number,
  serving: RegExp | undefined,
  load: () => Promise<{ requests: number }>,
): Promise<CpuPerRequest> {
  const all = processTree(rootPid);
  const pids = servingPids(rootPid, serving);
  if (pids.length === 0)
    throw new Error(
      `no process of ${rootPid}'s tree matches ${String(serving)}: ${all.map((p) => `${commOf(p)}:${p}`).join(' ')}`,
    );
  const others = all.filter((pid) => !pids.includes(pid));
  // The main thread's own counters, beside the whole process's: where a request's CPU is spent.
  const main = pids.length === 1 ? `${pids[0]}/task/${pids[0]}` : undefined;
  const mainTicks = () => (main === undefined ? undefined : ownCpuTicks(read(`/proc/${main}/stat`) ?? ''));
  const mainBefore = mainTicks();
  const before = cpuTicks(all);
  const { requests } = await load();
  const after = cpuTicks(all);
  const mainAfter = mainTicks();
  const sum = (list: number[]) =>
    list.reduce((total, pid) => total + (after.get(pid) ?? before.get(pid) ?? 0) - (before.get(pid) ?? 0), 0);
  const toUs = (ticks: number) => (ticks / clockTicksPerSecond()) * 1e6;
  const servingUs = toUs(sum(pids));
  return {
    usPerRequest: requests > 0 ? servingUs / requests : NaN,
    requests,
    cpuMs: servingUs / 1000,
    processes: pids.map((pid) => `${commOf(pid) ?? '?'}:${pid}`),
    wrapperUsPerRequest: requests > 0 ? toUs(sum(others)) / requests : NaN,
    ...(mainBefore !== undefined && mainAfter !== undefined && requests > 0
      ? { mainThreadUsPerRequest: toUs(mainAfter - mainBefore) / requests }
      : {}),
  };
}
