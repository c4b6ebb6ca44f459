// CPU work's calibration (src/cpu-work.js): the fastest trial counts, and a CPU clock that shows
// less than the wall clock (the thread waited for a core) measures the trial instead.
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

  it('times a trial by the CPU clock where it shows less than the wall clock', () => {
    const wallOnly = measureStepsPerMs(scriptedClock(4));
    // The thread got half of each trial's wall time on a core.
    const withCpu = measureStepsPerMs(scriptedClock(4), scriptedClock(2));
    expect(withCpu / wallOnly).toBeCloseTo(2);
  });

  it('ignores a coarse CPU clock that reads no time for a trial', () => {
    expect(measureStepsPerMs(scriptedClock(2), () => 0)).toBe(measureStepsPerMs(scriptedClock(2)));
  });
});

describe('cpuSteps', () => {
  it('is proportional to ms, the same for every call, and none for 0 ms', () => {
    expect(cpuSteps(0)).toBe(0);
    expect(cpuSteps(200)).toBe(cpuSteps(200));
    expect(cpuSteps(200) / cpuSteps(100)).toBeCloseTo(2, 3);
  });
});
