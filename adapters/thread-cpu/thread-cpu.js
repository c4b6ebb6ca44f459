// The CPU time of the calling thread, for the `cpu_ms` of an answer: how much CPU the work really
// took, which on a shared core is less than the time it was running.
// process.threadCpuUsage exists on Bun (microseconds), Deno (whole 10 ms ticks on Linux) and Node
// from 23.9; on Node 20 and 22 it is absent, and Linux's /proc/thread-self/schedstat (nanoseconds on
// the CPU) tells the same. Elsewhere the CPU time is unknown: the answer says null rather than guess.
// Plain JavaScript so that a Node pool thread loads it without a TypeScript loader.
import { Buffer } from 'node:buffer';
import { openSync, readSync } from 'node:fs';
import process from 'node:process';

/** @type {undefined | (() => { user: number, system: number })} */
const threadCpuUsage = /** @type {any} */ (process).threadCpuUsage?.bind(process);

/**
 * This thread's /proc/thread-self/schedstat, opened once and re-read from its start each time:
 * undefined until first wanted, null where it cannot be opened. A module is loaded once a thread
 * (a worker thread is its own isolate), so each thread holds the descriptor of its own file.
 * Opening it for every read cost a pool task about as much CPU as the rest of its handoff:
 * readFileSync opens, stats, reads a size-0 /proc file through a fresh 64 KiB buffer and closes.
 * The descriptor is closed with its thread: Node's workers track the descriptors fs opens in them
 * (`trackUnmanagedFds`, on by default and set by the pool) and close them when the thread exits.
 * @type {number | null | undefined}
 */
let schedstat;
/** Three decimal numbers: the first, nanoseconds on the CPU, fits many times over. */
const line = Buffer.alloc(128);

/** @returns {number | undefined} milliseconds of CPU this thread has used */
function fromSchedstat() {
  if (schedstat === undefined) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstat = null;
    }
  }
  if (schedstat === null) return undefined;
  try {
    const length = readSync(schedstat, line, 0, line.length, 0);
    const text = line.toString('latin1', 0, length);
    const nanoseconds = Number(text.slice(0, text.indexOf(' ')));
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
