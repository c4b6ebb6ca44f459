// Runs on a pool thread (a Web Worker): the blocking work of each `mode=pool` task, timed where it
// runs. The first message is the thread's task slot (./task-slot.ts); tasks then come through it.
/// <reference lib="deno.worker" />
import type { Work } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';
import { TaskSlot, THREAD_READY, type PoolResultMessage } from './task-slot.ts';

self.onmessage = ({ data }: MessageEvent<SharedArrayBuffer>) => {
  self.onmessage = null;
  self.postMessage(THREAD_READY);
  new TaskSlot(data).serve(({ ms, work, steps }) => {
    const startedAt = preciseNow();
    const cpuMs = threadCpuDuring(() => blockThread(ms, work as Work, steps));
    const result: PoolResultMessage = { startedAt, endedAt: preciseNow(), ...(cpuMs === undefined ? {} : { cpuMs }) };
    self.postMessage(result);
  });
};
