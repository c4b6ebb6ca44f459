// Blocking the calling thread, in standard JavaScript, shared by the adapters whose runtime allows them.
// Plain JavaScript (typed with JSDoc, checked by tsc) so that a Node pool thread can load it without
// a TypeScript loader: registering tsx in every new thread made the pool's cold start 5x slower.
import { cpuSteps, spin } from './cpu-work.js';

/**
 * Blocks the calling thread without using the CPU, like Python's `time.sleep`.
 * Atomics.wait on a private SharedArrayBuffer never gets a notify, so it simply times out.
 * Allowed on the main thread in Node, Deno and Bun, and on every worker thread.
 * @param {number} ms
 * @returns {void}
 */
export function sleepBlocking(ms) {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Blocks the calling thread for `ms` doing `work`: 'sleep' waits idle for `ms` of wall-clock time;
 * 'cpu' computes `steps` steps, what one idle core does in `ms` (./cpu-work.js), and so takes
 * longer when the thread shares its core.
 * @param {number} ms
 * @param {import('./runtime.ts').Work} work
 * @param {number} [steps] the steps of `ms` of CPU work, when the thread that took the request computed them
 * @returns {void}
 */
export function blockThread(ms, work, steps) {
  if (work === 'cpu') spin(steps ?? cpuSteps(ms));
  else sleepBlocking(ms);
}
