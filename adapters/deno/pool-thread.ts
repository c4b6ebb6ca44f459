// Runs on a pool thread (a Web Worker): the blocking work of one `mode=pool` request, timed where it runs.
/// <reference lib="deno.worker" />
import type { Work } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';

export interface PoolTaskMessage {
  ms: number;
  work: Work;
  /** The size of CPU work, computed by the thread that took the request (src/cpu-work.js). */
  steps: number;
}

export interface PoolResultMessage {
  startedAt: number;
  endedAt: number;
  cpuMs?: number;
}

self.onmessage = ({ data }: MessageEvent<PoolTaskMessage>) => {
  const startedAt = preciseNow();
  const cpuMs = threadCpuDuring(() => blockThread(data.ms, data.work, data.steps));
  const result: PoolResultMessage = { startedAt, endedAt: preciseNow(), ...(cpuMs === undefined ? {} : { cpuMs }) };
  self.postMessage(result);
};
