// Runs on a pool thread (a Web Worker): the blocking work of one `mode=pool` request, timed where it runs.
/// <reference lib="deno.worker" />
import type { Work } from '../../src/runtime.ts';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';

export interface PoolTaskMessage {
  ms: number;
  work: Work;
}

export interface PoolResultMessage {
  startedAt: number;
  endedAt: number;
}

self.onmessage = ({ data }: MessageEvent<PoolTaskMessage>) => {
  const startedAt = preciseNow();
  blockThread(data.ms, data.work);
  const result: PoolResultMessage = { startedAt, endedAt: preciseNow() };
  self.postMessage(result);
};
