// CPU-bound work as a fixed amount of computation: `work=cpu` for `ms` runs as many steps as one
// idle core of this process does in `ms`, measured once. Then, as real CPU-bound work would, a task
// that shares a core with others takes longer, and six of them on two cores take three times as
// long as one: the lesson the FastAPI guide teaches about CPU work and cores. (Spinning until the
// clock says `ms` have passed would "finish on time" however many tasks shared a core.)
// Plain JavaScript, like ./block-thread.js, so that a Node pool thread loads it without a loader.

/** A trial: short enough to fit between two preemptions on a busy machine. */
const TRIAL_MS = 1;
/**
 * Trials taken; the fastest counts. A trial that shared its core with another process (the
 * machine is busy, or N processes of --workers calibrate at once) reads a low rate; the fastest of
 * many short ones is the nearest to an idle core. (Short, so that one fits between two preemptions;
 * many, because under load most do not. 40 × 1 ms held within a few percent of the idle rate with
 * six calibrations at once at load average 10 on 2 cores, where 15 × 2 ms once read 40 % low.)
 */
const TRIALS = 40;
/**
 * Steps between two clock reads in a trial (a few microseconds): the trial ends at most this much
 * work after the clock shows TRIAL_MS, and the reads cost well under one percent of it.
 */
const CHUNK_STEPS = 1 << 8;
/** Steps run before the trials, so that the engine has optimised the loop when they start. */
const WARM_UP_STEPS = 1 << 18;

let sink = 0;

/**
 * `steps` steps of a linear congruential generator: work the engine cannot skip or fold away.
 * @param {number} steps
 * @returns {number} the generator's state, kept so that the loop is not dead code
 */
export function spin(steps) {
  let x = sink;
  for (let i = 0; i < steps; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
  sink = x;
  return x;
}

/**
 * Steps per millisecond of one core, from the fastest of TRIALS short trials on the wall clock.
 *
 * A trial starts just as the clock ticks and counts the steps done until it shows TRIAL_MS more,
 * reading it every CHUNK_STEPS. So a coarse clock measures as well as a fine one: Workers' clock
 * moves in whole milliseconds, and a trial of a fixed number of steps, timed from an arbitrary
 * moment, read anywhere between 0 and 2 ms for 1 ms of work there (the rate came out five times
 * low).
 *
 * A thread CPU clock would seem better (time spent waiting for a core is not computing), but none
 * here is fine enough: Linux's /proc/thread-self/schedstat is brought up to date only at a
 * scheduler tick (every 4 ms here) or a context switch, so a 1 ms trial could read a tenth of its
 * CPU time and the rate five times too high; Deno's counts whole 10 ms ticks, and Bun's reads too
 * little. The fastest of many wall-clock trials errs the safe way: low, and only when every trial
 * shared its core.
 * @param {() => number} now a clock in milliseconds that advances during synchronous code
 * @returns {number}
 */
export function measureStepsPerMs(now) {
  spin(WARM_UP_STEPS);
  let best = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const before = now();
    let start = now();
    while (start === before) start = now(); // the next tick of a coarse clock; at once on a fine one
    let steps = 0;
    let elapsed = 0;
    while (elapsed < TRIAL_MS) {
      spin(CHUNK_STEPS);
      steps += CHUNK_STEPS;
      elapsed = now() - start;
    }
    best = Math.max(best, steps / elapsed);
  }
  return best;
}

/** @type {number | undefined} */
let stepsPerMs;

/**
 * Measures this process's rate now rather than at the first CPU request. A runtime calls it as the
 * process starts, so that the first `work=cpu` request does not hold the event loop for it.
 * @returns {number} steps per millisecond
 */
export function calibrateCpuWork() {
  stepsPerMs ??= measureStepsPerMs(() => performance.now());
  return stepsPerMs;
}

/**
 * The steps of `ms` of CPU work; measures the rate first if nobody has yet. Computed on the thread
 * that takes the request and handed to the thread that runs it, so that every thread of a process
 * runs the same amount for the same `ms`.
 * @param {number} ms
 * @returns {number}
 */
export function cpuSteps(ms) {
  return ms <= 0 ? 0 : Math.round(ms * calibrateCpuWork());
}
