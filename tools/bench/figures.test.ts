import { describe, expect, it } from 'vitest';
import { cpuRequestCount } from './figures.ts';

describe('cpuRequestCount', () => {
  const plan = { cpuLoadS: 1, cpuMinRequests: 2_000, cpuMaxRequests: 40_000 };
  it('is about cpuLoadS of load at the measured rate, in whole thousands', () => {
    expect(cpuRequestCount(plan, 9_420)).toBe(9_000);
    expect(cpuRequestCount({ ...plan, cpuLoadS: 3 }, 9_420)).toBe(28_000);
  });
  it('stays within the plan bounds', () => {
    expect(cpuRequestCount(plan, 400)).toBe(2_000);
    expect(cpuRequestCount(plan, 90_000)).toBe(40_000);
    expect(cpuRequestCount(plan, Number.NaN)).toBe(2_000);
  });
});
