// Blocking on Workers (adapters/cloudflare/calibrated-spin.ts), played on Node with the two clocks
// workerd has: live (wrangler dev) and frozen during synchronous code (deployed).
import { describe, expect, it } from 'vitest';
import { CalibratedSpin, CHUNK, LIVE_CLOCK_CAP_FACTOR, MAX_STALENESS } from './calibrated-spin.ts';
import { ModeUnsupportedError } from '../../src/errors.ts';

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** This process's CPU time in ms: a time that other processes taking the CPU do not stretch. */
const cpuTime = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * The deployed clock: it shows real time (or `source`), but only as of the last event.
 * `eventWaitMs` plays a busy machine, where each event comes that much later than the work ends.
 */
function deployedClock(
  eventWaitMs = 0,
  source: () => number = () => performance.now(),
): {
  now: () => number;
  nextEvent: () => Promise<void>;
  events: () => number;
} {
  let waited = 0;
  let shown = source();
  let events = 0;
  return {
    now: () => shown,
    nextEvent: async () => {
      await nextTick();
      events++;
      waited += eventWaitMs;
      shown = source() + waited;
    },
    events: () => events,
  };
}

/**
 * A live clock (it advances during synchronous code, as under wrangler dev) that shows this
 * process's CPU time at `speed` times its pace: at a speed above 1 it plays a calibration taken
 * while other processes took the CPU, which reads the rate that many times low. On CPU time, what
 * other processes take of the CPU now does not move it.
 */
function playedLiveClock(): { now: () => number; speed: (times: number) => void } {
  let shown = 0;
  let last = cpuTime();
  let pace = 1;
  const now = (): number => {
    const t = cpuTime();
    shown += (t - last) * pace;
    last = t;
    return shown;
  };
  return {
    now,
    speed: (times) => {
      now();
      pace = times;
    },
  };
}

describe('CalibratedSpin', () => {
  it('refuses to block before it is calibrated', () => {
    const spin = new CalibratedSpin({ now: () => performance.now(), nextEvent: nextTick });
    expect(() => spin.block(10)).toThrow(/calibrate/);
  });

  it('with a clock frozen during synchronous code, ends after the calibrated amount of work', async () => {
    const clock = deployedClock();
    const spin = new CalibratedSpin(clock);
    await spin.calibrate();
    const rate = spin.iterationsPerMs!;
    expect(rate).toBeGreaterThan(0);
    const budget = Math.ceil(30 * rate);
    const done = spin.block(30); // a loop timed on this clock would never end
    expect(done).toBeGreaterThanOrEqual(budget);
    expect(done).toBeLessThan(budget + CHUNK + 1);
    expect(spin.iterationsPerMs).toBe(rate); // a frozen clock shows nothing to recalibrate by
  });

  it('with a live clock and a calibration that read the rate low, the block still lasts the whole ms', async () => {
    // Calibrated at ten times the clock's pace: the rate reads ten times low, and a count of four
    // times the budget would end a 30 ms block after 12 ms.
    const clock = playedLiveClock();
    const spin = new CalibratedSpin({ now: clock.now, nextEvent: nextTick });
    clock.speed(10);
    await spin.calibrate();
    clock.speed(1);
    const lowRate = spin.iterationsPerMs!;
    const before = clock.now();
    spin.block(30);
    expect(clock.now() - before).toBeGreaterThanOrEqual(30);
    // The spin proved the calibration stale; later blocks (work=cpu too) use what it saw.
    expect(spin.iterationsPerMs!).toBeGreaterThan(lowRate * LIVE_CLOCK_CAP_FACTOR);
    const after = clock.now();
    spin.block(30);
    expect(clock.now() - after).toBeGreaterThanOrEqual(30);
  });

  it('with a live clock that creeps, stops at the runaway bound instead of following it', async () => {
    let creeping = false;
    let shown = performance.now();
    const now = (): number => (creeping ? (shown += 1e-6) : performance.now());
    const spin = new CalibratedSpin({ now, nextEvent: nextTick });
    await spin.calibrate();
    const budget = Math.ceil(5 * spin.iterationsPerMs!);
    creeping = true; // 5 ms on this clock would take hours of reads
    const done = spin.block(5);
    expect(done).toBeGreaterThan(budget * LIVE_CLOCK_CAP_FACTOR);
    expect(done).toBeLessThan(budget * LIVE_CLOCK_CAP_FACTOR * MAX_STALENESS + CHUNK + 1);
  });

  it('with a live clock, measures without waiting for events: slow events do not lower the rate', async () => {
    const live = new CalibratedSpin({ now: () => performance.now(), nextEvent: nextTick });
    await live.calibrate();
    // Each event 30 ms late: the wait would be the whole measurement of a small amount of work.
    const late = async (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
    const liveLate = new CalibratedSpin({ now: () => performance.now(), nextEvent: late });
    await liveLate.calibrate();
    expect(liveLate.iterationsPerMs! / live.iterationsPerMs!).toBeGreaterThan(0.5);
  });

  it('with a frozen clock and slow events, doubles the work until it outweighs the wait', async () => {
    // Timed by this process's CPU time, so that what the test compares is the wait, not how much
    // of the CPU other processes took during each measurement.
    const prompt = new CalibratedSpin(deployedClock(0, cpuTime));
    await prompt.calibrate();
    const slow = new CalibratedSpin(deployedClock(30, cpuTime));
    await slow.calibrate();
    // The wait is at most a fifth of the measured time (WORK_DOMINATES), so the rate reads at
    // most a fifth low; measuring the first amount of work that spans the target would read it
    // about fifty times low.
    expect(slow.iterationsPerMs! / prompt.iterationsPerMs!).toBeGreaterThan(0.5);
  });

  it('with a live clock, lets the clock decide: the block lasts the whole ms', async () => {
    // The iteration cap is 4x the calibrated count: only a CPU four times faster while blocking
    // than while calibrating could end this block early.
    const now = (): number => performance.now();
    const spin = new CalibratedSpin({ now, nextEvent: nextTick });
    await spin.calibrate();
    const before = now();
    spin.block(30);
    expect(now() - before).toBeGreaterThanOrEqual(30);
  });

  it('cpu work is the calibrated amount whatever a live clock says: a fixed amount of computation', async () => {
    // Once calibrated, a clock that races ahead 100 ms at every read would end a clock-timed loop
    // at its first read.
    let racing = false;
    let shown = performance.now();
    const now = (): number => (racing ? (shown += 100) : performance.now());
    const spin = new CalibratedSpin({ now, nextEvent: nextTick });
    await spin.calibrate();
    racing = true;
    expect(spin.block(30, 'cpu')).toBe(Math.ceil(30 * spin.iterationsPerMs!));
    expect(spin.block(30, 'sleep')).toBeLessThan(Math.ceil(30 * spin.iterationsPerMs!));
  });

  it('calibrates once per isolate: later calls reuse the measurement', async () => {
    const clock = deployedClock();
    const spin = new CalibratedSpin(clock);
    await Promise.all([spin.calibrate(), spin.calibrate()]);
    const events = clock.events();
    const rate = spin.iterationsPerMs;
    await spin.calibrate();
    expect(clock.events()).toBe(events);
    expect(spin.iterationsPerMs).toBe(rate);
  });

  it('blocks for nothing when ms is 0', async () => {
    const spin = new CalibratedSpin(deployedClock());
    await spin.calibrate();
    expect(spin.block(0)).toBe(0);
  });
});

describe('CalibratedSpin with a clock that never moves', () => {
  it('refuses to block rather than guess a rate and spin into the CPU limit', async () => {
    const spin = new CalibratedSpin({ now: () => 0, nextEvent: nextTick });
    await spin.calibrate();
    expect(spin.calibrated).toBe(true);
    expect(spin.iterationsPerMs).toBeUndefined();
    expect(() => spin.block(10)).toThrow(ModeUnsupportedError); // answered 501 mode_unsupported
  });
});
