// Runs on a pool thread under Bun: the blocking work of one `mode=pool` request, timed where it runs.
// Bun loads this TypeScript module in a worker thread by itself, no loader needed.
import { threadId } from 'node:worker_threads';
import type { Work, WorkTiming } from '../../src/runtime.ts';
import { preciseNow } from '../../src/precise-now.js';
import { blockThreadOnBun } from './bun-blocking.ts';

export default function runPoolTask({ ms, work }: { ms: number; work: Work }): WorkTiming {
  const startedAt = preciseNow();
  blockThreadOnBun(ms, work);
  return { startedAt, endedAt: preciseNow(), threadId };
}
