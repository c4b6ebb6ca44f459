import { describe, expect, it } from 'vitest';
import { efficiency, idealMakespanMs, type Capacity } from './ideal.ts';

const base: Capacity = { mode: 'blocking', work: 'sleep', processes: 1, poolThreads: 40, cores: 2 };

describe('ideal makespan', () => {
  it('is n×ms when one process blocks', () => {
    expect(idealMakespanMs(10, 1000, base)).toBe(10_000);
  });
  it('is ⌈n/processes⌉×ms with processes', () => {
    expect(idealMakespanMs(10, 1000, { ...base, processes: 4 })).toBe(3_000);
  });
  it('is ms for async, however many requests', () => {
    expect(idealMakespanMs(10_000, 1000, { ...base, mode: 'async' })).toBe(1_000);
  });
  it('is ⌈n/threads⌉×ms for the pool, across every process', () => {
    expect(idealMakespanMs(10, 1000, { ...base, mode: 'pool', poolThreads: 4 })).toBe(3_000);
    expect(idealMakespanMs(10, 1000, { ...base, mode: 'pool', poolThreads: 4, processes: 2 })).toBe(2_000);
    expect(idealMakespanMs(10, 1000, { ...base, mode: 'pool' })).toBe(1_000);
  });
  it('counts at most one CPU-bound request a core', () => {
    expect(idealMakespanMs(10, 1000, { ...base, mode: 'pool', work: 'cpu' })).toBe(5_000);
    expect(idealMakespanMs(10, 1000, { ...base, work: 'cpu', processes: 4 })).toBe(5_000);
  });
  it('is 0 for no requests', () => {
    expect(idealMakespanMs(0, 1000, base)).toBe(0);
  });
});

describe('efficiency', () => {
  it('is ideal ÷ actual', () => {
    expect(efficiency(1000, 1250)).toBe(0.8);
  });
  it('is 1 when nothing was to be done and done in no time', () => {
    expect(efficiency(0, 0)).toBe(1);
  });
});
