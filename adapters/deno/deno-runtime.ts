// The Runtime on Deno: Atomics.wait blocks the main thread without CPU (Deno allows it there, as
// Node does and browsers do not), a timer waits, Web Workers offload.
import { WorkCancelledError, type ProcessInfo, type Runtime, type Work, type WorkerPool } from '../../src/runtime.ts';
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

/** A timer that rejects with WorkCancelledError, and clears itself, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WorkCancelledError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WorkCancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
