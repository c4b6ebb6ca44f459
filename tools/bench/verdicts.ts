// Pass or miss against the targets, and what a load generator's ceiling does to a figure.
// Pure functions: the table's verdicts rest on them.

/** A figure within this fraction of the generator's ceiling is taken to have hit it. */
export const AT_CEILING = 0.9;

export function atCeiling(requestsPerSecond: number, ceiling: number | undefined): boolean {
  return ceiling !== undefined && ceiling > 0 && requestsPerSecond >= AT_CEILING * ceiling;
}

/**
 * What a ratio a ÷ b of two throughputs says when either side may have hit the generator's ceiling
 * (the generator, not the server, then set its pace, and its true value is at least the measured):
 * - exact: neither hit it;
 * - lower: only a hit it, so the true ratio is at least the measured;
 * - upper: only b hit it, so the true ratio is at most the measured;
 * - unmeasurable: both hit it, so the ratio says nothing about the servers.
 */
export type RatioBound = 'exact' | 'lower' | 'upper' | 'unmeasurable';

export function ratioBound(aAtCeiling: boolean, bAtCeiling: boolean): RatioBound {
  if (aAtCeiling && bAtCeiling) return 'unmeasurable';
  if (aAtCeiling) return 'lower';
  if (bAtCeiling) return 'upper';
  return 'exact';
}

export interface Target {
  /** The figure must be at least this … */
  min?: number;
  /** … or at most this. */
  max?: number;
}

export type Verdict = 'pass' | 'miss' | 'unmeasurable';

/** The verdict on `value` given how far it can be trusted: a bound decides only when it settles the target. */
export function verdict(value: number, target: Target, bound: RatioBound = 'exact'): Verdict {
  if (!Number.isFinite(value) || bound === 'unmeasurable') return 'unmeasurable';
  const meetsMin = target.min === undefined || value >= target.min;
  const meetsMax = target.max === undefined || value <= target.max;
  if (bound === 'exact') return meetsMin && meetsMax ? 'pass' : 'miss';
  // The true value is at least `value` (lower) or at most it (upper).
  const canRise = bound === 'lower';
  if (canRise) {
    if (!meetsMax) return 'miss'; // already above a maximum, and can only be higher
    return meetsMin ? (target.max === undefined ? 'pass' : 'unmeasurable') : 'unmeasurable';
  }
  if (!meetsMin) return 'miss'; // already below a minimum, and can only be lower
  return meetsMax ? (target.min === undefined ? 'pass' : 'unmeasurable') : 'unmeasurable';
}

/** `≥ 50%`, `≤ 1.5 s`: how a target reads in the table. */
export function describeTarget(target: Target, format: (n: number) => string): string {
  return [
    target.min === undefined ? undefined : `≥ ${format(target.min)}`,
    target.max === undefined ? undefined : `≤ ${format(target.max)}`,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** The targets. */
export const TARGETS = {
  asyncOverGet: { min: 0.5 },
  nodeOverFastApi: { min: 5 },
  poolOverAsync: { min: 0.6 },
  getOverBare: { min: 0.9 },
  getOverHono: { min: 0.95 },
  scaleP99Ms: { max: 1500 },
  scaleRequestsPerSecond: { min: 5000 },
  scaleConnectErrors: { max: 0 },
} as const satisfies Record<string, Target>;
