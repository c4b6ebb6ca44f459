// CPU-bound work as a fixed amount of computation: `work=cpu` for `ms` runs as many steps as one
// idle core of this process does in `ms`, measured once. Then, as real CPU-bound work would, a task
// that shares a core with others takes longer, and six of them on two cores take three times as
// long as one: the lesson the FastAPI guide teaches about CPU work and cores. (Spinning until the
// clock says `ms` have passed would "finish on time" however many tasks shared a core.)
// Plain JavaScript, like ./block-thread.js, so that a Node pool thread loads it without a loader.

/** A trial long enough that the clock's resolution is a small error, short enough to fit a time slice. */
const TRIAL_MS = 1;
/**
 * Trials taken; the fastest counts. A trial that shared its core with another process (the
 * machine is busy, or N processes of --workers calibrate at once) reads a low rate; the fastest of
 * many short ones is the nearest to an idle core. (Short, so that one fits between two preemptions;
 * many, because under load most do not. 40 × 1 ms held within a few percent of the idle rate with
 * six calibrations at once at load average 10 on 2 cores, where 15 × 2 ms once read 40 % low.)
 */
const TRIALS = 40;
const FIRST_TRIAL_STEPS = 1 << 10;

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
 * Steps per millisecond of one core, from the fastest of TRIALS short trials. A trial lasts its
 * wall-clock time, or the thread's CPU time where a fine CPU clock reads less: time spent waiting
 * for a core is not time spent computing.
 * @param {() => number} now a clock in milliseconds
 * @param {() => number | undefined} [cpuNow] the calling thread's CPU time in milliseconds, where known
 * @returns {number}
 */
export function measureStepsPerMs(now, cpuNow = () => undefined) {
  // Grow a trial until it lasts TRIAL_MS; this also lets the engine optimise the loop first.
  let steps = FIRST_TRIAL_STEPS;
  for (;;) {
    const start = now();
    spin(steps);
    if (now() - start >= TRIAL_MS) break;
    steps *= 2;
  }
  let best = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const cpuStart = cpuNow();
    const start = now();
    spin(steps);
    const wall = now() - start;
    const cpuEnd = cpuNow();
    // A coarse CPU clock (whole ticks) reads 0 for a short trial: the wall clock decides then.
    const cpu = cpuStart === undefined || cpuEnd === undefined ? 0 : cpuEnd - cpuStart;
    const elapsed = cpu > 0 ? Math.min(wall, cpu) : wall;
    if (elapsed > 0) best = Math.max(best, steps / elapsed);
  }
  return best;
}

/** @type {number | undefined} */
let stepsPerMs;

/**
 * Measures this process's rate now rather than at the first CPU request. A runtime calls it as the
 * process starts, so that the first `work=cpu` request does not hold the event loop for it.
 * @param {() => number | undefined} [cpuNow] the thread's CPU clock, where the runtime has one
 * @returns {number} steps per millisecond
 */
export function calibrateCpuWork(cpuNow) {
  stepsPerMs ??= measureStepsPerMs(() => performance.now(), cpuNow);
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
