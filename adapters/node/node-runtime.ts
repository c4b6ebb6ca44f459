// The Runtime on Node: Atomics.wait blocks without CPU, a timer waits, tinypool offloads.
import { abortableSleep } from '../../src/abortable-sleep.ts';
import type { ProcessInfo, Runtime, Work, ThreadPool } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { calibrateCpuWork } from '../../src/cpu-work.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';
import { processStats } from '../process-stats/process-stats.ts';
import { responseCloseSignal } from './response-close-signal.ts';

export function createNodeRuntime(pool: ThreadPool, processes: ProcessInfo): Runtime {
  // Measured as the process starts, so that no request pays for it (src/cpu-work.js).
  calibrateCpuWork();
  return {
    name: 'node',
    version: process.versions.node,
    workerId: () => process.pid,
    now: preciseNow,
    // A plain timer, cleared when the client goes away; 0 ms is one setImmediate.
    sleep: abortableSleep,
    block: (ms: number, work: Work) => threadCpuDuring(() => blockThread(ms, work)),
    pool,
    http1Only: true,
    clientSignal: responseCloseSignal,
    processes,
    processStats,
  };
}
