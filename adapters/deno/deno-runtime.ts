// The Runtime on Deno: Atomics.wait blocks the main thread without CPU (Deno allows it there, as
// Node does and browsers do not), a timer waits, Web Workers offload.
import { abortableSleep } from '../../src/abortable-sleep.ts';
import type { ProcessInfo, Runtime, Work, WorkerPool } from '../../src/runtime.ts';
import { blockThread, preciseNow } from '../../src/work.js';

export function createDenoRuntime(pool: WorkerPool, processes: ProcessInfo): Runtime {
  return {
    name: 'deno',
    version: Deno.version.deno,
    workerId: () => Deno.pid,
    now: preciseNow,
    sleep: abortableSleep,
    block: (ms: number, work: Work) => blockThread(ms, work),
    pool,
    processes,
    memory: () => {
      const { rss, heapUsed } = Deno.memoryUsage();
      return { rssBytes: rss, heapUsedBytes: heapUsed };
    },
  };
}
