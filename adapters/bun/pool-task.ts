// Runs on a pool thread under Bun: the blocking work of one `mode=pool` request, timed where it runs.
// Bun loads this TypeScript module in a worker thread by itself, no loader needed.
import { threadId } from 'node:worker_threads';
import type { WorkTiming } from '../../src/runtime.ts';
import { preciseNow } from '../../src/precise-now.js';
import type { PoolTask } from '../tinypool/tinypool-thread-pool.ts';
import { threadCpuDuring } from '../thread-cpu/thread-cpu.js';
import { blockThreadOnBun } from './bun-blocking.ts';

export default function runPoolTask({ ms, work, steps }: PoolTask): WorkTiming {
  const startedAt = preciseNow();
  const cpuMs = threadCpuDuring(() => blockThreadOnBun(ms, work, steps));
  return { startedAt, endedAt: preciseNow(), threadId, ...(cpuMs === undefined ? {} : { cpuMs }) };
}
