// Runs on a pool thread: the blocking work of one `mode=pool` request, timed where it runs.
// Plain JavaScript so that a new thread starts without a TypeScript loader (see src/block-thread.js).
import { threadId } from 'node:worker_threads';
import { blockThread } from '../../src/block-thread.js';
import { preciseNow } from '../../src/precise-now.js';

/**
 * @param {{ ms: number, work: import('../../src/runtime.ts').Work }} task
 * @returns {import('../../src/runtime.ts').WorkTiming}
 */
export default function runPoolTask({ ms, work }) {
  const startedAt = preciseNow();
  blockThread(ms, work);
  return { startedAt, endedAt: preciseNow(), threadId };
}
