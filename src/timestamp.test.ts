import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './timestamp.ts';

describe('timestamps in the FastAPI guide format', () => {
  it('formats UTC with six fraction digits', () => {
    expect(formatTimestamp(Date.UTC(2026, 10, 25, 18, 52, 11, 123) + 0.4561)).toBe('2026-11-25 18:52:11.123456');
    expect(formatTimestamp(Date.UTC(2026, 0, 1, 0, 0, 0, 0))).toBe('2026-01-01 00:00:00.000000');
  });

  it('never rounds up into the next second', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 1, 0, 0, 0, 999) + 0.9996)).toBe('2026-01-01 00:00:00.999999');
  });

  it('formats each instant in its own second, one after another, back and forth', () => {
    const first = Date.UTC(2026, 10, 25, 18, 52, 11, 999) + 0.5;
    const next = Date.UTC(2026, 10, 25, 18, 52, 12, 0) + 0.25;
    const nextDay = Date.UTC(2026, 10, 26, 0, 0, 0, 1);
    expect([first, next, first, nextDay, next].map(formatTimestamp)).toEqual([
      '2026-11-25 18:52:11.999500',
      '2026-11-25 18:52:12.000250',
      '2026-11-25 18:52:11.999500',
      '2026-11-26 00:00:00.001000',
      '2026-11-25 18:52:12.000250',
    ]);
  });

  it('parses back to the same instant to the microsecond', () => {
    const t = Date.UTC(2026, 10, 25, 18, 52, 11, 123) + 0.456;
    expect(parseTimestamp(formatTimestamp(t))).toBeCloseTo(t, 3);
    expect(() => parseTimestamp('yesterday')).toThrow();
  });
});
