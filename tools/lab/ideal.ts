// The makespan a mode would reach with perfect scheduling: what "efficiency" is measured against.
import type { Mode, Work } from '../../src/runtime.ts';

export interface Capacity {
  mode: Mode;
  work: Work;
  processes: number;
  /** Pool threads a process; only used in pool mode. */
  poolThreads: number;
  /** CPU cores: CPU-bound work cannot run on more of them at once, whatever the threads. */
  cores: number;
}

/** How many of the requests can run at once. */
export function parallelism({ mode, work, processes, poolThreads, cores }: Capacity): number {
  const slots = mode === 'blocking' ? processes : mode === 'pool' ? processes * poolThreads : Number.POSITIVE_INFINITY;
  return work === 'cpu' ? Math.min(slots, cores) : slots;
}

/**
 * n×ms for blocking in one process, ms for async, ⌈n/threads⌉×ms for the pool, ⌈n/processes⌉×ms
 * for processes: requests go in waves of as many as can run at once.
 */
export function idealMakespanMs(n: number, ms: number, capacity: Capacity): number {
  if (n === 0) return 0;
  return Math.max(1, Math.ceil(n / parallelism(capacity))) * ms;
}

/** ideal ÷ actual: 1 is perfect; below 1, time lost to queueing or overhead. */
export function efficiency(idealMs: number, actualMs: number): number {
  if (actualMs <= 0) return idealMs <= 0 ? 1 : 0;
  return idealMs / actualMs;
}
