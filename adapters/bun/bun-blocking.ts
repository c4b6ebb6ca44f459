// Blocking the calling thread on Bun, on the event loop or on a pool thread.
import type { Work } from '../../src/runtime.ts';
import { cpuSteps, spin } from '../../src/cpu-work.js';

/**
 * 'sleep' parks the thread without CPU (Bun.sleepSync, Bun's `time.sleep`); 'cpu' computes `steps`
 * steps, what one idle core does in `ms` (src/cpu-work.js).
 */
export function blockThreadOnBun(ms: number, work: Work, steps?: number): void {
  if (work === 'cpu') spin(steps ?? cpuSteps(ms));
  else if (ms > 0) Bun.sleepSync(ms);
}
