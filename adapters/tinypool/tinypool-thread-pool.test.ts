// The Node pool under faults: a task that throws or kills its thread fails alone, and the pool
// goes on serving on a fresh thread.
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TinypoolThreadPool } from './tinypool-thread-pool.ts';
import { PoolOverloadedError, WorkCancelledError } from '../../src/errors.ts';
import type { Work } from '../../src/runtime.ts';

const faulty = new URL('./fixtures/faulty-pool-task.js', import.meta.url);
let pool: TinypoolThreadPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const realTask = new URL('../node/pool-task.js', import.meta.url);

/** What this process's open descriptors on a thread's CPU clock point at (adapters/thread-cpu/thread-cpu.js): one thread's file each. */
function openThreadClocks(): Set<string> {
  const clocks = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.endsWith('/schedstat')) clocks.add(target);
    } catch {
      // closed between the listing and the read
    }
  }
  return clocks;
}
/** Where the runtime has a thread CPU clock of its own, none is opened (Node from 23.9). */
const clocksAreFiles = !('threadCpuUsage' in process) && process.platform === 'linux';

describe('TinypoolThreadPool', () => {
  it('drops a waiting task whose client goes away, and lets a running one finish on its thread', async () => {
    pool = new TinypoolThreadPool({ taskModule: realTask, maxThreads: 1, maxQueue: 5 });
    const runningClient = new AbortController();
    const waitingClient = new AbortController();
    const running = pool.run(300, 'sleep', runningClient.signal);
    const waiting = pool.run(300, 'sleep', waitingClient.signal);
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    waitingClient.abort();
    runningClient.abort();
    await expect(waiting).rejects.toBeInstanceOf(WorkCancelledError);
    const timing = await running; // aborting a task that runs does not kill its thread
    expect(timing.endedAt - timing.startedAt).toBeGreaterThanOrEqual(299);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, completed: 1, cancelled: 1 });
  });

  it('counts a task whose client had gone before it reached the pool as cancelled, and never runs it', async () => {
    pool = new TinypoolThreadPool({ taskModule: realTask, maxThreads: 1, maxQueue: 5 });
    await expect(pool.run(300, 'sleep', AbortSignal.abort())).rejects.toBeInstanceOf(WorkCancelledError);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, completed: 0, cancelled: 1 });
  });

  it('a task that throws rejects only its own call; the next task runs', async () => {
    pool = new TinypoolThreadPool({ taskModule: faulty, maxThreads: 1, maxQueue: 10 });
    await expect(pool.run(1, 'throw' as Work)).rejects.toThrow('task failed');
    await expect(pool.run(1, 'sleep')).resolves.toMatchObject({ threadId: expect.any(Number) });
  });

  it('a task that ends its thread rejects; the pool starts a new thread and keeps serving', async () => {
    pool = new TinypoolThreadPool({ taskModule: faulty, maxThreads: 1, maxQueue: 10 });
    const before = await pool.run(1, 'sleep');
    await expect(pool.run(1, 'exit' as Work)).rejects.toThrow();
    const after = await pool.run(1, 'sleep');
    expect(after.threadId).not.toBe(before.threadId);
    expect(pool.stats().completed).toBe(2);
  });

  it('leaves no descriptor behind when its threads stop', async () => {
    // Compared by the thread each descriptor reads, so that threads of earlier tests still closing do not count.
    const before = openThreadClocks();
    pool = new TinypoolThreadPool({ taskModule: realTask, maxThreads: 3, maxQueue: 5 });
    const timings = await Promise.all([1, 2, 3].map(() => pool!.run(100, 'sleep')));
    expect(new Set(timings.map((t) => t.threadId)).size).toBe(3);
    const opened = [...openThreadClocks()].filter((clock) => !before.has(clock));
    if (clocksAreFiles) expect(opened).toHaveLength(3);
    await pool.close();
    pool = undefined;
    // A thread's descriptors are closed as it exits, which may come a moment after its 'exit' event.
    await vi.waitFor(() => expect(opened.filter((clock) => openThreadClocks().has(clock))).toEqual([]));
  });

  it('refuses at once when every thread is busy and the queue is full', async () => {
    pool = new TinypoolThreadPool({ taskModule: realTask, maxThreads: 1, maxQueue: 1 });
    const running = pool.run(300, 'sleep');
    const queued = pool.run(300, 'sleep');
    await expect(pool.run(300, 'sleep')).rejects.toBeInstanceOf(PoolOverloadedError);
    expect(pool.stats()).toMatchObject({ rejected: 1, maxQueue: 1, maxThreads: 1 });
    await Promise.all([running, queued]);
    expect(pool.stats().completed).toBe(2);
  });
});
