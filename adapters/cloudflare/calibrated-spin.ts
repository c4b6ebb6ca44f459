// Blocking on Workers: the only way to hold the isolate is to compute, and the clock cannot say
// when to stop.
//
// Platform facts behind this file:
// - There is no idle blocking wait: `Atomics.wait` throws ("cannot be called in this context").
// - Deployed, `Date.now()` and `performance.now()` do not advance during synchronous code (a Spectre
//   mitigation); they catch up at the next I/O event. A loop that runs "until the clock says ms
//   have passed" therefore never ends there: it spins until the CPU limit kills the request. Under
//   `wrangler dev` (local workerd) the clock does advance, so such a loop looks fine locally.
//
// So the amount of work is calibrated instead: iterations per millisecond, measured once per
// isolate. Where the clock advances during synchronous code (locally), it is measured as on every
// other runtime (src/cpu-work.js: the fastest of many 1 ms trials). Where it does not (deployed), it
// is measured across an event boundary (`scheduler.wait`), which is where the deployed clock catches
// up; the wait for that event is counted too, so the work is doubled until it, not the wait, fills
// the measured time. (Measured across events locally, a machine under load made the wait the
// whole measurement, and the rate read fifty times too low.) A blocking request then runs
// `ms × rate` iterations.
// Where the clock does advance (locally), it still decides when to stop, so local durations are
// exact; the iteration count is then only a cap (four times the budget) that keeps a loop from
// running away. A spin that reaches that cap while the live clock says its time is not up proves
// the calibration stale (taken while the machine was busy, it read the rate several times low, and
// the cap cut a 1 s block at 0.6 s): the rate seen during this spin replaces it, and the cap is
// moved to four times what is left at that rate, never past MAX_STALENESS times the first cap (a
// clock that creeps cannot make the loop run away). Where the clock does
// not advance (deployed), the calibrated count is the only measure, and the loop ends after it: it
// cannot outlive its budget whatever the clock does.
// Assumption, not verifiable here (no account): the deployed clock shows real time after a timer
// fires. If a clock shows no work even across events, blocking is refused with an error rather
// than sized by a guess.
//
// Plain JavaScript with the clock and the event boundary passed in, so that unit tests can play
// the deployed clock (frozen between events) on Node.

import { measureStepsPerMs, spin } from '../../src/cpu-work.js';
import { ModeUnsupportedError } from '../../src/errors.ts';
import type { Work } from '../../src/runtime.ts';

/** Enough measured time that the clock's millisecond granularity is a small error. */
const CALIBRATION_TARGET_MS = 20;
const FIRST_CALIBRATION_ITERATIONS = 1 << 14;
/**
 * Where the doubling stops (about 0.4 s of CPU on this machine, at ~20,000 iterations/ms). If the
 * clock still shows less than the target by then, it cannot see synchronous work at all.
 */
const MAX_CALIBRATION_ITERATIONS = 1 << 23;
/** Iterations between clock reads: the loop is mostly arithmetic, not clock calls. */
export const CHUNK = 1 << 12;
/**
 * Locally the clock ends the loop; the count only stops a runaway, at this multiple of the budget
 * (generous: a calibration taken while another process shared the CPU reads a low rate).
 */
export const LIVE_CLOCK_CAP_FACTOR = 4;
/**
 * How stale a calibration may be believed to be, as a factor of the rate it read: on a live clock
 * a spin stops at LIVE_CLOCK_CAP_FACTOR × this × its budget whatever the clock says (the runaway
 * bound). A rate read while other processes shared the CPU is low by about their share, so
 * several times at worst on a loaded machine.
 */
export const MAX_STALENESS = 16;
/**
 * Across events, doubling the work must stretch the measured time at least this much before the
 * rate counts: the work then fills most of it, and the wait for the event (which does not grow with
 * the work) the rest. At 1.6 the work is at least four times the wait, so the rate reads at most a
 * fifth low, whatever the wait.
 */
const WORK_DOMINATES = 1.6;
/** Iterations of a probe that tells a live clock from a frozen one. */
const CLOCK_PROBE_ITERATIONS = 1 << 16;

export interface SpinClock {
  /** The clock in milliseconds: performance.now() on Workers. */
  now: () => number;
  /** Resolves at the next event, where the deployed clock catches up: scheduler.wait(0) on Workers. */
  nextEvent: () => Promise<void>;
}

export class CalibratedSpin {
  #iterationsPerMs: number | undefined;
  #calibrating: Promise<void> | undefined;
  #clockBlind = false;
  readonly #clock: () => number;
  readonly #nextEvent: () => Promise<void>;

  constructor({ now, nextEvent }: SpinClock) {
    this.#clock = now;
    this.#nextEvent = nextEvent;
  }

  /** Iterations per millisecond, once measured. */
  get iterationsPerMs(): number | undefined {
    return this.#iterationsPerMs;
  }

  /** Whether calibrate() has finished (with a rate, or finding a clock that cannot see work). */
  get calibrated(): boolean {
    return this.#iterationsPerMs !== undefined || this.#clockBlind;
  }

  /**
   * Measures iterations per millisecond once per isolate (about 40 ms of CPU where the clock is
   * live, more where only events show it); later calls return at once.
   */
  calibrate(): Promise<void> {
    this.#calibrating ??= (async () => {
      await this.#nextEvent();
      if (this.#clockAdvancesWhileComputing()) {
        this.#iterationsPerMs = measureStepsPerMs(this.#clock);
        return;
      }
      this.#iterationsPerMs = await this.#measureAcrossEvents();
      this.#clockBlind = this.#iterationsPerMs === undefined;
    })();
    return this.#calibrating;
  }

  #clockAdvancesWhileComputing(): boolean {
    const start = this.#clock();
    spin(CLOCK_PROBE_ITERATIONS);
    return this.#clock() > start;
  }

  /**
   * Doubles the work until, between two events, it spans CALIBRATION_TARGET_MS and fills most of
   * that span (WORK_DOMINATES). Undefined if not even the largest amount shows on the clock.
   */
  async #measureAcrossEvents(): Promise<number | undefined> {
    let iterations = FIRST_CALIBRATION_ITERATIONS;
    let previous: number | undefined;
    for (;;) {
      await this.#nextEvent();
      const start = this.#clock();
      spin(iterations);
      await this.#nextEvent();
      const elapsed = this.#clock() - start;
      const workDominates = previous !== undefined && elapsed >= previous * WORK_DOMINATES;
      if (elapsed >= CALIBRATION_TARGET_MS && workDominates) return iterations / elapsed;
      if (iterations >= MAX_CALIBRATION_ITERATIONS) {
        // Not even an event boundary shows the work: any rate would be a guess, and a wrong
        // guess spins until the CPU limit. Refuse to block instead (see block()). If it shows but
        // the waits never stopped dominating, the rate reads low: blocks end early, never late.
        return elapsed >= CALIBRATION_TARGET_MS ? iterations / elapsed : undefined;
      }
      previous = elapsed;
      iterations *= 2;
    }
  }

  /**
   * Holds the isolate for about `ms`; returns the iterations it ran. 'cpu' work is a fixed amount,
   * the calibrated count, as on every runtime (src/cpu-work.js); 'sleep' work stops when the clock
   * says `ms` have passed, where it advances. Call calibrate() first (the Workers runtime does, before
   * a request blocks).
   */
  block(ms: number, work: Work = 'sleep'): number {
    if (this.#clockBlind) {
      // A capability this isolate lacks: 501, as the contract answers for a mode a runtime cannot run.
      throw new ModeUnsupportedError(
        'mode=blocking is unavailable here: the clock did not show the calibration work even across events, so no amount of work can be sized; use mode=async',
      );
    }
    const rate = this.#iterationsPerMs;
    if (rate === undefined) throw new Error('CalibratedSpin.block called before calibrate() finished');
    if (ms <= 0) return 0;
    const budget = Math.ceil(ms * rate);
    if (work === 'cpu') {
      spin(budget);
      return budget;
    }
    const start = this.#clock();
    const deadline = start + ms;
    const ceiling = budget * LIVE_CLOCK_CAP_FACTOR * MAX_STALENESS;
    let cap = budget * LIVE_CLOCK_CAP_FACTOR;
    let done = 0;
    for (;;) {
      spin(CHUNK);
      done += CHUNK;
      const now = this.#clock();
      if (now >= deadline) break; // the clock advances here: it decides
      if (now === start) {
        if (done >= budget) break; // frozen clock: the calibrated count decides
      } else if (done >= cap) {
        if (done >= ceiling) break;
        // The live clock says the time is not up, yet the count is spent: the calibrated rate is
        // stale. What this spin did per ms is a truer one (still cautious: it counts any time the
        // CPU went to others): keep it for later blocks too, and size what is left by it.
        const seen = done / (now - start);
        this.#iterationsPerMs = Math.max(this.#iterationsPerMs ?? rate, seen);
        cap = Math.min(ceiling, done + Math.ceil((deadline - now) * seen * LIVE_CLOCK_CAP_FACTOR));
      }
    }
    return done;
  }
}
