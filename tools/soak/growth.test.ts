import { describe, expect, it } from 'vitest';
import { judgeGrowth, median, quantile, theilSenSlope, type MemorySample } from './growth.ts';

const MiB = 1024 * 1024;

/** One sample a second for `seconds`, RSS in MiB from `rss(t)`. */
function series(seconds: number, rss: (t: number) => number): MemorySample[] {
  return Array.from({ length: seconds + 1 }, (_, t) => ({ atS: t, rssBytes: Math.round(rss(t) * MiB) }));
}

/** Deterministic noise in [-1, 1), so a failure reproduces. */
const noise = (t: number) => ((t * 7919) % 13) / 6.5 - 1;

describe('judgeGrowth', () => {
  it('calls a flat, noisy series bounded', () => {
    const verdict = judgeGrowth(series(60, (t) => 150 + 5 * noise(t)));
    expect(verdict.bounded).toBe(true);
    expect(Math.abs(verdict.growthBytes)).toBeLessThan(10 * MiB);
  });

  it('calls a steady leak unbounded: 1 MiB/s from 100 MiB for a minute', () => {
    const verdict = judgeGrowth(series(60, (t) => 100 + t + noise(t)));
    expect(verdict.bounded).toBe(false);
    expect(verdict.slopeBytesPerS / MiB).toBeCloseTo(1, 1);
    expect(verdict.reason).toMatch(/still growing/);
  });

  it('calls a heap that grew by 60% once and then levelled off bounded', () => {
    const verdict = judgeGrowth(series(60, (t) => (t < 10 ? 100 : 160) + noise(t)));
    expect(verdict.growthRatio).toBeGreaterThan(0.5);
    expect(verdict.bounded).toBe(true);
    expect(verdict.reason).toMatch(/levelled off/);
  });

  it('bounds a big server by 64 MiB, not by half its size', () => {
    // 400 MiB growing 1.5 MiB/s: 90 MiB more at the end, 22%, under half but over 64 MiB.
    const verdict = judgeGrowth(series(60, (t) => 400 + 1.5 * t));
    expect(verdict.growthRatio).toBeLessThan(0.5);
    expect(verdict.bounded).toBe(false);
  });

  it('bounds a small server by half its size, not by 64 MiB', () => {
    // 60 MiB growing 0.75 MiB/s: 45 MiB more, under 64 MiB but 75%.
    expect(judgeGrowth(series(60, (t) => 60 + 0.75 * t)).bounded).toBe(false);
  });

  it('calls growth past the hard limit unbounded even when the second half is flat', () => {
    const verdict = judgeGrowth(series(60, (t) => (t < 20 ? 100 : 400)));
    expect(verdict.slopeBytesPerS).toBe(0);
    expect(verdict.bounded).toBe(false);
    expect(verdict.reason).toMatch(/hard limit/);
  });

  it('is not fooled by single spikes at the ends: baseline and end are medians', () => {
    const samples = series(20, () => 100);
    samples[0]!.rssBytes = 40 * MiB;
    samples.at(-1)!.rssBytes = 300 * MiB;
    const verdict = judgeGrowth(samples);
    expect(verdict.growthBytes).toBe(0);
    expect(verdict.bounded).toBe(true);
  });

  it('prints the late slope in KiB/s: a creep of 16 KiB/s is not 0.0', () => {
    const verdict = judgeGrowth(series(120, (t) => 136 + (16 / 1024) * t));
    expect(verdict.bounded).toBe(true);
    expect(verdict.reason).toMatch(/16\.0 KiB\/s over the second half/);
  });

  it('calls a long soak unbounded on its late slope alone, above 64 KiB/s, though it grew within the bound', () => {
    // 100 KiB/s for ten minutes: 59 MiB on 400 MiB, within both growth bounds.
    const verdict = judgeGrowth(series(600, (t) => 400 + (100 / 1024) * t));
    expect(verdict.growthBytes).toBeLessThan(64 * MiB);
    expect(verdict.bounded).toBe(false);
    expect(verdict.peakSlopeBytesPerS / 1024).toBeCloseTo(100, 0);
    expect(verdict.reason).toMatch(
      /peaks were still rising at \d+\.\d KiB\/s, second half against first \(bound 64\.0 KiB\/s\)/,
    );
    // The same creep over a short soak: one GC step could set that slope, so the growth bound decides.
    expect(judgeGrowth(series(120, (t) => 400 + (100 / 1024) * t)).bounded).toBe(true);
  });

  it("calls a saw-tooth whose peaks stay level bounded over a long soak, though a tooth's rising edge is steep", () => {
    // Deno's RSS under the soak's mix (docs/reliability.md): 120 MiB rising to 170 over 200 s, back to
    // 120 when a pool thread stops, again and again; ten minutes, one sample every 5 s.
    const tooth = (t: number) => 120 + (50 * ((t + 130) % 240)) / 200;
    const samples = series(600, (t) => Math.min(170, tooth(t)) + noise(t)).filter((s) => s.atS % 5 === 0);
    const verdict = judgeGrowth(samples);
    expect(verdict.slopeBytesPerS / 1024).toBeGreaterThan(64); // what a line through the second half says
    expect(verdict.bounded).toBe(true);
    expect(Math.abs(verdict.peakSlopeBytesPerS / 1024)).toBeLessThan(16);
    expect(verdict.reason).toMatch(/its peaks -?\d+\.\d KiB\/s, second half against first/);
  });

  it('calls the same saw-tooth unbounded when its peaks creep up at 100 KiB/s', () => {
    const tooth = (t: number) => 120 + (50 * ((t + 130) % 240)) / 200;
    const samples = series(600, (t) => Math.min(170, tooth(t)) + (100 / 1024) * t + noise(t)).filter(
      (s) => s.atS % 5 === 0,
    );
    const verdict = judgeGrowth(samples);
    expect(verdict.bounded).toBe(false);
    expect(verdict.reason).toMatch(/peaks were still rising/);
  });

  it('needs six samples', () => {
    expect(() => judgeGrowth(series(4, () => 100))).toThrow(/at least 6/);
  });
});

describe('theilSenSlope and median', () => {
  it('gives the slope of a line, and ignores an outlier', () => {
    const line = series(10, (t) => 2 * t);
    expect(theilSenSlope(line) / MiB).toBeCloseTo(2, 6);
    line[5]!.rssBytes = 1000 * MiB;
    expect(theilSenSlope(line) / MiB).toBeCloseTo(2, 6);
    expect(theilSenSlope(line.slice(0, 1))).toBe(0);
  });

  it('takes a quantile between the nearest ranks', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 9);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
