// A Runtime for unit tests: no threads, no real waiting. It records what the app asked of it.
import { PoolOverloadedError, WorkCancelledError } from './errors.ts';
import type { PoolStats, Runtime, Work, ThreadPool, WorkTiming } from './runtime.ts';

export interface FakeRuntime extends Runtime {
  blocked: { ms: number; work: Work }[];
  slept: number[];
}

export class FakePool implements ThreadPool {
  overloaded = false;
  readonly runs: { ms: number; work: Work }[] = [];
  async run(ms: number, work: Work, signal?: AbortSignal): Promise<WorkTiming> {
    if (this.overloaded) throw new PoolOverloadedError(2, ms);
    if (signal?.aborted) throw new WorkCancelledError();
    this.runs.push({ ms, work });
    return { startedAt: 1_000, endedAt: 1_000 + ms, threadId: 7 };
  }
  stats(): PoolStats {
    return {
      threads: 1,
      minThreads: 1,
      maxThreads: 4,
      busy: 0,
      queued: 0,
      maxQueue: 2,
      completed: this.runs.length,
      rejected: 0,
      cancelled: 0,
    };
  }
  async close(): Promise<void> {}
}

export function fakeRuntime(pool?: ThreadPool): FakeRuntime {
  let clock = Date.UTC(2026, 10, 25, 18, 52, 11, 123) + 0.456;
  const runtime: FakeRuntime = {
    name: 'node',
    version: 'fake',
    workerId: () => 4242,
    now: () => clock,
    blocked: [],
    slept: [],
    async sleep(ms, signal) {
      if (signal?.aborted) throw new WorkCancelledError();
      runtime.slept.push(ms);
      clock += ms;
    },
    block(ms, work) {
      runtime.blocked.push({ ms, work });
      clock += ms;
      return work === 'cpu' ? ms : 0;
    },
    processes: { count: 1, balancing: 'one process' },
    ...(pool ? { pool } : {}),
  };
  return runtime;
}
