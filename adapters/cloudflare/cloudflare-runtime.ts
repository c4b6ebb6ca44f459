// The Runtime on Cloudflare Workers (workerd): a calibrated busy loop blocks, scheduler.wait waits,
// and there is no pool (Workers have no threads: mode=pool answers 501).
import { WorkCancelledError } from '../../src/errors.ts';
import type { ProcessInfo, Runtime, Work } from '../../src/runtime.ts';
import type { CalibratedSpin } from './calibrated-spin.ts';
import { isolateId } from './isolate-id.ts';

const PROCESSES: ProcessInfo = {
  count: null,
  balancing: 'the platform: Cloudflare runs as many isolates as traffic needs and routes each request to one of them',
};

export function createWorkersRuntime(spin: CalibratedSpin): Runtime {
  return {
    name: 'workerd',
    // Workers expose no runtime build number; the user agent ("Cloudflare-Workers") is what the
    // isolate can tell. (workers-types does not declare navigator, though workerd has it.)
    version: (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'Cloudflare-Workers',
    workerId: isolateId,
    // Millisecond precision: Workers coarsen the clocks (and, deployed, freeze them during synchronous code).
    now: () => Date.now(),
    async sleep(ms: number, signal?: AbortSignal) {
      try {
        await scheduler.wait(ms, signal ? { signal } : undefined);
      } catch (error) {
        if (signal?.aborted) throw new WorkCancelledError();
        throw error;
      }
    },
    // No idle blocking wait exists here (Atomics.wait throws), so `sleep` work computes too. No
    // thread CPU clock either: the CPU time is unknown (undefined).
    block: (ms: number, work: Work) => {
      spin.block(ms, work);
      return undefined;
    },
    // The calibration needs an event boundary, which a synchronous block() cannot wait for: it runs
    // before the first request that will block, once per isolate; no other request pays for it.
    beforeBlock: () => (spin.calibrated ? undefined : spin.calibrate()),
    processes: PROCESSES,
  };
}
