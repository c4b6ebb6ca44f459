// Blocking the calling thread on Bun, on the event loop or on a pool thread.
import type { Work } from '../../src/runtime.ts';
import { burnCpu } from '../../src/block-thread.js';

/** 'sleep' parks the thread without CPU (Bun.sleepSync, Bun's `time.sleep`); 'cpu' keeps it busy. */
export function blockThreadOnBun(ms: number, work: Work): void {
  if (work === 'cpu') burnCpu(ms);
  else if (ms > 0) Bun.sleepSync(ms);
}
