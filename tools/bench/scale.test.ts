import { describe, expect, it } from 'vitest';
import { maxOverlap } from './scale.ts';

describe('maxOverlap', () => {
  it('counts the most intervals open at one instant', () => {
    expect(maxOverlap([])).toBe(0);
    expect(
      maxOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 6, end: 7 },
        { start: 20, end: 30 },
      ]),
    ).toBe(3);
  });
  it('does not count intervals that only touch', () => {
    expect(
      maxOverlap([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBe(1);
  });
});
