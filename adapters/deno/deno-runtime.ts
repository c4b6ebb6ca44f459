// The Runtime on Deno: Atomics.wait blocks the main thread without CPU (Deno allows it there, as
// Node does and browsers do not), a timer waits, Web Workers offload.
import { abortableSleep } from '../../src/abortable-sleep.ts';
import type { ProcessInfo, Runtime, Work, ThreadPool } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { calibrateCpuWork } from '../../src/cpu-work.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';
import { processStats } from '../process-stats/process-stats.ts';

export function createDenoRuntime(pool: ThreadPool, processes: ProcessInfo): Runtime {
  // Measured as the process starts, so that no request pays for it (src/cpu-work.js).
  calibrateCpuWork();
  return {
    name: 'deno',
    version: Deno.version.deno,
    workerId: () => Deno.pid,
    now: preciseNow,
    sleep: abortableSleep,
    block: (ms: number, work: Work) => threadCpuDuring(() => blockThread(ms, work)),
    pool,
    processes,
    processStats,
  };
}
