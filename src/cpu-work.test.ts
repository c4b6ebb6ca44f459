// CPU work's calibration (src/cpu-work.js): the fastest trial counts.
import { describe, expect, it } from 'vitest';
import { cpuSteps, measureStepsPerMs } from './cpu-work.js';

/** A clock that advances `step` ms at every read; `slow` reads add `slowBy` more (a trial that lost its core). */
function scriptedClock(step: number, slow: (read: number) => boolean = () => false, slowBy = 0): () => number {
  let t = 0;
  let reads = 0;
  return () => {
    reads++;
    t += step + (slow(reads) ? slowBy : 0);
    return t;
  };
}

describe('measureStepsPerMs', () => {
  it('takes the fastest trial: trials slowed by sharing a core do not lower the rate', () => {
    const steady = measureStepsPerMs(scriptedClock(2));
    // Every other trial's end read comes 8 ms late, as if another process had the core meanwhile.
    const shared = measureStepsPerMs(scriptedClock(2, (read) => read > 4 && read % 4 === 0, 8));
    expect(shared).toBe(steady);
  });

  it('reads a clock that moves in whole milliseconds (as on Workers) as well as a fine one', () => {
    const fine = measureStepsPerMs(() => performance.now());
    const coarse = measureStepsPerMs(() => Math.floor(performance.now()));
    // Both are the fastest of many trials of the same machine, a few percent apart; timed from an
    // arbitrary moment, 1 ms of work on the coarse clock reads 0 or 1 or 2 ms, and the rate read
    // several times low.
    expect(coarse / fine).toBeGreaterThan(0.7);
    expect(coarse / fine).toBeLessThan(1.4);
  });
});

describe('cpuSteps', () => {
  it('is proportional to ms, the same for every call, and none for 0 ms', () => {
    expect(cpuSteps(0)).toBe(0);
    expect(cpuSteps(200)).toBe(cpuSteps(200));
    expect(cpuSteps(200) / cpuSteps(100)).toBeCloseTo(2, 3);
  });
});
