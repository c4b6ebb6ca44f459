// The Node pool under faults: a task that throws or kills its thread fails alone, and the pool
// goes on serving on a fresh thread.
import { afterEach, describe, expect, it } from 'vitest';
import { TinypoolWorkerPool } from '../../adapters/node/tinypool-worker-pool.ts';
import { PoolOverloadedError, type Work } from '../../src/runtime.ts';

const faulty = new URL('../fixtures/faulty-pool-task.js', import.meta.url);
let pool: TinypoolWorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('TinypoolWorkerPool', () => {
  it('a task that throws rejects only its own call; the next task runs', async () => {
    pool = new TinypoolWorkerPool({ taskModule: faulty, maxThreads: 1, maxQueue: 10 });
    await expect(pool.run(1, 'throw' as Work)).rejects.toThrow('task failed');
    await expect(pool.run(1, 'sleep')).resolves.toMatchObject({ threadId: expect.any(Number) });
  });

  it('a task that ends its thread rejects; the pool starts a new thread and keeps serving', async () => {
    pool = new TinypoolWorkerPool({ taskModule: faulty, maxThreads: 1, maxQueue: 10 });
    const before = await pool.run(1, 'sleep');
    await expect(pool.run(1, 'exit' as Work)).rejects.toThrow();
    const after = await pool.run(1, 'sleep');
    expect(after.threadId).not.toBe(before.threadId);
    expect(pool.stats().completed).toBe(2);
  });

  it('refuses at once when every thread is busy and the queue is full', async () => {
    pool = new TinypoolWorkerPool({ taskModule: new URL('../../adapters/node/pool-task.js', import.meta.url), maxThreads: 1, maxQueue: 1 });
    const running = pool.run(300, 'sleep');
    const queued = pool.run(300, 'sleep');
    await expect(pool.run(300, 'sleep')).rejects.toBeInstanceOf(PoolOverloadedError);
    expect(pool.stats()).toMatchObject({ rejected: 1, maxQueue: 1, maxThreads: 1 });
    await Promise.all([running, queued]);
    expect(pool.stats().completed).toBe(2);
  });
});
