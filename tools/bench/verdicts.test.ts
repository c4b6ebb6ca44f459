import { describe, expect, it } from 'vitest';
import { atCeiling, describeTarget, ratioBound, verdict } from './verdicts.ts';

describe('atCeiling', () => {
  it('is within 90% of the ceiling', () => {
    expect(atCeiling(90, 100)).toBe(true);
    expect(atCeiling(120, 100)).toBe(true);
    expect(atCeiling(89, 100)).toBe(false);
  });
  it('is never, without a ceiling', () => {
    expect(atCeiling(1e9, undefined)).toBe(false);
    expect(atCeiling(1, 0)).toBe(false);
  });
});

describe('ratioBound', () => {
  it('marks a ratio whose two sides both hit the ceiling as unmeasurable', () => {
    expect(ratioBound(true, true)).toBe('unmeasurable');
  });
  it('knows which way one side at the ceiling moves the ratio', () => {
    expect(ratioBound(true, false)).toBe('lower');
    expect(ratioBound(false, true)).toBe('upper');
    expect(ratioBound(false, false)).toBe('exact');
  });
});

describe('verdict', () => {
  it('passes or misses an exact figure', () => {
    expect(verdict(0.5, { min: 0.5 })).toBe('pass');
    expect(verdict(0.49, { min: 0.5 })).toBe('miss');
    expect(verdict(1500, { max: 1500 })).toBe('pass');
    expect(verdict(1501, { max: 1500 })).toBe('miss');
    expect(verdict(0, { max: 0 })).toBe('pass');
  });
  it('is unmeasurable when both sides hit the ceiling, or the figure is not a number', () => {
    expect(verdict(1, { min: 0.9 }, 'unmeasurable')).toBe('unmeasurable');
    expect(verdict(Number.NaN, { min: 0.9 })).toBe('unmeasurable');
  });
  it('decides on a lower bound only when the bound settles it', () => {
    // The true ratio is at least the measured one.
    expect(verdict(0.95, { min: 0.9 }, 'lower')).toBe('pass');
    expect(verdict(0.8, { min: 0.9 }, 'lower')).toBe('unmeasurable');
    expect(verdict(2, { max: 1.5 }, 'lower')).toBe('miss');
    expect(verdict(1, { max: 1.5 }, 'lower')).toBe('unmeasurable');
  });
  it('decides on an upper bound only when the bound settles it', () => {
    // The true ratio is at most the measured one.
    expect(verdict(0.8, { min: 0.9 }, 'upper')).toBe('miss');
    expect(verdict(0.95, { min: 0.9 }, 'upper')).toBe('unmeasurable');
    expect(verdict(1, { max: 1.5 }, 'upper')).toBe('pass');
    expect(verdict(2, { max: 1.5 }, 'upper')).toBe('unmeasurable');
  });
});

describe('describeTarget', () => {
  it('reads like the issue', () => {
    expect(describeTarget({ min: 0.5 }, (n) => `${n * 100}%`)).toBe('≥ 50%');
    expect(describeTarget({ max: 1500 }, (n) => `${n / 1000} s`)).toBe('≤ 1.5 s');
  });
});
