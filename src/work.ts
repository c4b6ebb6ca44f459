// Blocking primitives written in standard JavaScript, shared by the adapters whose runtime allows them.
import type { Work } from './runtime.ts';

/**
 * Blocks the calling thread without using the CPU, like Python's `time.sleep`.
 * Atomics.wait on a private SharedArrayBuffer never gets a notify, so it simply times out.
 * Allowed on the main thread in Node, Deno and Bun, and on every worker thread.
 */
export function sleepBlocking(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Keeps one CPU busy for `ms`, as CPU-bound work would. The clock is read only every few
 * thousand iterations so that the loop is mostly arithmetic, not clock calls.
 */
export function burnCpu(ms: number, now: () => number = () => performance.now()): number {
  const deadline = now() + ms;
  let x = 0;
  do {
    for (let i = 0; i < 10_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
  } while (now() < deadline);
  return x; // returned so that the engine cannot drop the loop as dead code
}

/** Blocks the calling thread for `ms` doing `work`. */
export function blockThread(ms: number, work: Work): void {
  if (work === 'cpu') burnCpu(ms);
  else sleepBlocking(ms);
}

/** Wall-clock epoch milliseconds with the sub-millisecond precision of performance.now(). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
