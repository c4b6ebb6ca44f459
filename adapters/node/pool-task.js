// Runs on a pool thread: the blocking work of one `mode=pool` request, timed where it runs.
// Plain JavaScript so that a new thread starts without a TypeScript loader (see src/block-thread.js).
import { threadId } from 'node:worker_threads';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';

/**
 * @param {import('../tinypool/tinypool-thread-pool.ts').PoolTask} task
 * @returns {import('../../src/runtime.ts').WorkTiming}
 */
export default function runPoolTask({ ms, work, steps }) {
  const startedAt = preciseNow();
  const cpuMs = threadCpuDuring(() => blockThread(ms, work, steps));
  return { startedAt, endedAt: preciseNow(), threadId, ...(cpuMs === undefined ? {} : { cpuMs }) };
}
