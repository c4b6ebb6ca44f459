// The calling thread's CPU clock: read afresh each time it is asked, and each thread's own.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { spin } from '../../src/cpu-work.js';
import { threadCpuDuring } from './thread-cpu.js';

const STEPS = 2_000_000;

describe('threadCpuDuring', () => {
  it('says the CPU of work every time it is asked, not only the first', () => {
    const figures = [1, 2, 3].map(() => threadCpuDuring(() => spin(STEPS)));
    for (const cpuMs of figures) expect(cpuMs).toBeGreaterThan(0);
  });

  it("a worker thread's figure is its own thread's, not the main thread's", async () => {
    const done = new Int32Array(new SharedArrayBuffer(4));
    const answer = new Float64Array(new SharedArrayBuffer(8));
    const worker = new Worker(new URL('./fixtures/sleeping-thread.js', import.meta.url), {
      workerData: { done, answer },
    });
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      // Once it is loaded, the worker sleeps while this thread computes until the worker says it is
      // done: the main thread's clock runs the whole time, the worker's hardly at all.
      worker.postMessage(200);
      const mainCpuMs = threadCpuDuring(() => {
        while (Atomics.load(done, 0) === 0) spin(10_000);
      });
      const workerCpuMs = answer[0]! / 1000;
      expect(mainCpuMs).toBeGreaterThan(0);
      expect(workerCpuMs).toBeLessThan(mainCpuMs! / 2);
    } finally {
      await worker.terminate();
    }
  });
});
