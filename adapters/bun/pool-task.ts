// Runs on a pool thread under Bun: the blocking work of one `mode=pool` request, timed where it runs.
// Bun loads this TypeScript module in a worker thread by itself: no tsx shim as on Node.
import { threadId } from 'node:worker_threads';
import type { WorkTiming } from '../../src/runtime.ts';
import { preciseNow } from '../../src/work.ts';
import type { PoolTask } from '../node/pool-task.ts';
import { blockThreadOnBun } from './bun-blocking.ts';

export default function runPoolTask({ ms, work }: PoolTask): WorkTiming {
  const startedAt = preciseNow();
  blockThreadOnBun(ms, work);
  return { startedAt, endedAt: preciseNow(), threadId };
}
