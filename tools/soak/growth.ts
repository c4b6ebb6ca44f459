// Whether a server's resident memory grew without bound during a soak. Pure: samples in, verdict out.
//
// RSS under load is noisy: the garbage collectors grow their heaps in steps and give memory back
// late or never, pools start and stop threads, and on a busy 2-core machine a sample can land
// mid-collection. A leak, in contrast, keeps growing. So the verdict needs both signs:
//  - growth: the end (median of the last samples) against the baseline (median of the first samples
//    after the warm-up) is above a generous bound: 50% of the baseline or 64 MiB, whichever is smaller
//    (one bound for small servers, one for big ones);
//  - still growing: the slope over the second half of the samples, by the Theil–Sen estimator (the
//    median of the pairwise slopes; a GC step or an outlier sample does not move it), is above
//    MAX_SLOPE. A heap that grew once and then plateaued is not a leak.
// A long soak also fails on its late slope alone, above maxLateSlopeBytesPerS, whatever the growth: a
// slow creep (Deno's 16 KiB/s over ten minutes, docs/reliability.md) stays within the growth bound
// for an hour and more. Only over a second half long enough that one GC step does not set the slope.
// That late slope is the peaks' (PEAK_QUANTILE of each half, second against first), not a line
// through the second half: Deno's RSS is a saw-tooth (a pool thread stopped gives back some 50 MiB,
// the next one takes it again, every few minutes, peaks level), and a line through a half that holds
// one rising edge read 68 to 122 KiB/s on a server whose peaks did not move. A leak raises the peaks.
// Growth past HARD_LIMIT is unbounded whatever the slope: no server here needs that much more.

export interface MemorySample {
  /** Seconds since the baseline sample. */
  atS: number;
  rssBytes: number;
}

export interface GrowthLimits {
  /** Growth allowed as a fraction of the baseline… */
  maxGrowthRatio: number;
  /** …and in bytes: the smaller of the two is the bound. */
  maxGrowthBytes: number;
  /** A second-half slope above this (bytes/s) means still growing. */
  maxSlopeBytesPerS: number;
  /** Growth above this is unbounded even on a flat second half. */
  hardLimitBytes: number;
  /** A second-half slope above this (bytes/s) is unbounded whatever the growth… */
  maxLateSlopeBytesPerS: number;
  /** …when the second half spans at least this long. */
  lateSlopeMinSpanS: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: GrowthLimits = {
  maxGrowthRatio: 0.5,
  maxGrowthBytes: 64 * MiB,
  maxSlopeBytesPerS: 256 * 1024,
  hardLimitBytes: 256 * MiB,
  // 64 KiB/s is 225 MiB an hour: a server that keeps that up will not last a day.
  maxLateSlopeBytesPerS: 64 * 1024,
  lateSlopeMinSpanS: 240,
};

export interface GrowthVerdict {
  baselineBytes: number;
  endBytes: number;
  growthBytes: number;
  /** growthBytes ÷ baselineBytes. */
  growthRatio: number;
  /** Theil–Sen slope over the second half of the samples, bytes a second. */
  slopeBytesPerS: number;
  /** How fast the peaks rose: the second half's against the first's (PEAK_QUANTILE), bytes a second. */
  peakSlopeBytesPerS: number;
  /** The late slope the verdict printed: the peaks' on a long soak, else the second half's. */
  lateSlopeBytesPerS: number;
  bounded: boolean;
  /** Why it is (un)bounded, in one sentence. */
  reason: string;
}

/** How many samples the baseline and the end are medians of. */
const EDGE_SAMPLES = 3;
/** A half's peak: this quantile of its samples, high, but not its single highest (one sample is noise). */
const PEAK_QUANTILE = 0.9;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The `q` quantile of `values` (0 ≤ q ≤ 1), by linear interpolation between the nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** How fast the peaks rose from `first` to `second` (two runs of samples): their PEAK_QUANTILEs over the time between their middles. */
export function peakSlope(first: readonly MemorySample[], second: readonly MemorySample[]): number {
  const peak = (half: readonly MemorySample[]) =>
    quantile(
      half.map((s) => s.rssBytes),
      PEAK_QUANTILE,
    );
  const middle = (half: readonly MemorySample[]) => median(half.map((s) => s.atS));
  const dt = middle(second) - middle(first);
  return dt > 0 ? (peak(second) - peak(first)) / dt : 0;
}

/** The median of the slopes between every pair of samples; 0 for fewer than two. */
export function theilSenSlope(samples: readonly MemorySample[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const dt = samples[j]!.atS - samples[i]!.atS;
      if (dt > 0) slopes.push((samples[j]!.rssBytes - samples[i]!.rssBytes) / dt);
    }
  }
  return slopes.length ? median(slopes) : 0;
}

export function judgeGrowth(samples: readonly MemorySample[], limits: GrowthLimits = DEFAULT_LIMITS): GrowthVerdict {
  if (samples.length < 2 * EDGE_SAMPLES)
    throw new Error(`need at least ${2 * EDGE_SAMPLES} memory samples, got ${samples.length}`);
  const rss = samples.map((s) => s.rssBytes);
  const baselineBytes = median(rss.slice(0, EDGE_SAMPLES));
  const endBytes = median(rss.slice(-EDGE_SAMPLES));
  const growthBytes = endBytes - baselineBytes;
  const growthRatio = growthBytes / baselineBytes;
  const firstHalf = samples.slice(0, Math.floor(samples.length / 2));
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const slopeBytesPerS = theilSenSlope(secondHalf);
  const peakSlopeBytesPerS = peakSlope(firstHalf, secondHalf);
  const secondHalfSpanS = secondHalf.at(-1)!.atS - secondHalf[0]!.atS;
  const bound = Math.min(limits.maxGrowthRatio * baselineBytes, limits.maxGrowthBytes);
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  // KiB/s, not MiB/s: a creep of 16 KiB/s would print as 0.0 MiB/s.
  const kibPerS = (bytesPerS: number) => `${(bytesPerS / 1024).toFixed(1)} KiB/s`;
  // A long soak's figure to watch is its peaks' slope; a short one's, the line through its second half.
  const longSoak = secondHalfSpanS >= limits.lateSlopeMinSpanS;
  const lateSlopeBytesPerS = longSoak ? peakSlopeBytesPerS : slopeBytesPerS;
  const verdict = {
    baselineBytes,
    endBytes,
    growthBytes,
    growthRatio,
    slopeBytesPerS,
    peakSlopeBytesPerS,
    lateSlopeBytesPerS,
  };
  if (growthBytes > limits.hardLimitBytes) {
    return {
      ...verdict,
      bounded: false,
      reason: `grew ${mib(growthBytes)}, more than the hard limit of ${mib(limits.hardLimitBytes)}`,
    };
  }
  if (growthBytes > bound && slopeBytesPerS > limits.maxSlopeBytesPerS) {
    return {
      ...verdict,
      bounded: false,
      reason: `grew ${mib(growthBytes)} (bound ${mib(bound)}) and was still growing at ${kibPerS(slopeBytesPerS)} (bound ${kibPerS(limits.maxSlopeBytesPerS)})`,
    };
  }
  if (longSoak && peakSlopeBytesPerS > limits.maxLateSlopeBytesPerS) {
    return {
      ...verdict,
      bounded: false,
      reason: `grew ${mib(growthBytes)} and its peaks were still rising at ${kibPerS(peakSlopeBytesPerS)}, second half against first (bound ${kibPerS(limits.maxLateSlopeBytesPerS)})`,
    };
  }
  const late = longSoak
    ? `its peaks ${kibPerS(peakSlopeBytesPerS)}, second half against first`
    : `${kibPerS(slopeBytesPerS)} over the second half`;
  return {
    ...verdict,
    bounded: true,
    reason:
      growthBytes > bound
        ? `grew ${mib(growthBytes)} (above ${mib(bound)}) but levelled off: ${late}`
        : `grew ${mib(growthBytes)}, within ${mib(bound)}; ${late}`,
  };
}
