// The Runtime on Bun: Bun.sleepSync blocks without CPU, a timer waits, tinypool offloads.
import { abortableSleep } from '../../src/abortable-sleep.ts';
import type { ProcessInfo, Runtime, Work, ThreadPool } from '../../src/runtime.ts';
import { calibrateCpuWork } from '../../src/cpu-work.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';
import { blockThreadOnBun } from './bun-blocking.ts';
import { processStats } from '../process-stats/process-stats.ts';

export function createBunRuntime(pool: ThreadPool, processes: ProcessInfo): Runtime {
  // Measured as the process starts, so that no request pays for it (src/cpu-work.js).
  calibrateCpuWork();
  return {
    name: 'bun',
    version: Bun.version,
    workerId: () => process.pid,
    now: preciseNow,
    // A plain timer: Bun.sleep overshoots a little less (0.14 against 0.17 ms on 50 ms waits), but
    // cannot be cleared when the client goes away.
    sleep: abortableSleep,
    block: (ms: number, work: Work) => threadCpuDuring(() => blockThreadOnBun(ms, work)),
    pool,
    http1Only: true,
    processes,
    processStats,
  };
}
