// The Runtime on Node: Atomics.wait blocks without CPU, timers/promises waits, tinypool offloads.
import { setTimeout as delay } from 'node:timers/promises';
import { WorkCancelledError } from '../../src/errors.ts';
import type { ProcessInfo, Runtime, Work, ThreadPool } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';
import { processStats } from '../process-stats/process-stats.ts';

export function createNodeRuntime(pool: ThreadPool, processes: ProcessInfo): Runtime {
  return {
    name: 'node',
    version: process.versions.node,
    workerId: () => process.pid,
    now: preciseNow,
    async sleep(ms: number, signal?: AbortSignal) {
      try {
        await delay(ms, undefined, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) throw new WorkCancelledError();
        throw error;
      }
    },
    block: (ms: number, work: Work) => blockThread(ms, work),
    pool,
    http1Only: true,
    processes,
    processStats,
  };
}
