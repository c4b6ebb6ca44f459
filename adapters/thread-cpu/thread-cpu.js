// The CPU time of the calling thread, for the `cpu_ms` of an answer: how much CPU the work really
// took, which on a shared core is less than the time it was running.
// process.threadCpuUsage exists on Bun (microseconds), Deno (whole 10 ms ticks on Linux) and Node
// from 23.9; on Node 20 and 22 it is absent, and Linux's /proc/thread-self/schedstat (nanoseconds on
// the CPU) tells the same. Elsewhere the CPU time is unknown: the answer says null rather than guess.
// Plain JavaScript so that a Node pool thread loads it without a TypeScript loader.
import { readFileSync } from 'node:fs';
import process from 'node:process';

/** @type {undefined | (() => { user: number, system: number })} */
const threadCpuUsage = /** @type {any} */ (process).threadCpuUsage?.bind(process);

/** @returns {number | undefined} milliseconds of CPU this thread has used */
function fromSchedstat() {
  try {
    const nanoseconds = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    return Number.isFinite(nanoseconds) && nanoseconds > 0 ? nanoseconds / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds of CPU the calling thread has used, or undefined where the runtime cannot tell.
 * @returns {number | undefined}
 */
function threadCpuMs() {
  if (threadCpuUsage) {
    const { user, system } = threadCpuUsage();
    return (user + system) / 1000;
  }
  return fromSchedstat();
}

/**
 * Runs `block` and returns the CPU time the calling thread spent in it, in milliseconds.
 * @param {() => void} block
 * @returns {number | undefined}
 */
export function threadCpuDuring(block) {
  const before = threadCpuMs();
  block();
  const after = threadCpuMs();
  return before === undefined || after === undefined ? undefined : Math.max(0, after - before);
}
