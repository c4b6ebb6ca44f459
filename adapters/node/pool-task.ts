// Runs on a pool thread: the blocking work of one `mode=pool` request, timed where it runs.
import { threadId } from 'node:worker_threads';
import type { Work, WorkTiming } from '../../src/runtime.ts';
import { blockThread, preciseNow } from '../../src/work.ts';

export interface PoolTask {
  ms: number;
  work: Work;
}

export default function runPoolTask({ ms, work }: PoolTask): WorkTiming {
  const startedAt = preciseNow();
  blockThread(ms, work);
  return { startedAt, endedAt: preciseNow(), threadId };
}
