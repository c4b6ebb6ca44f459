import { describe, expect, it } from 'vitest';
import { ClockOffset } from './clock.ts';

describe('ClockOffset', () => {
  it('is 0 before anything is known, and while the server times fit inside the page send→receive windows', () => {
    const clock = new ClockOffset();
    expect(clock.offsetMs).toBe(0);
    clock.observe(1_000.4, 1_000, 1_302, 1_300.2);
    clock.observe(1_002, 1_001, 1_305, 1_301);
    expect(clock.offsetMs).toBe(0);
    expect(clock.toPage(1_500)).toBe(1_500);
  });

  it('estimates a server clock that runs ahead from the windows it must fit in', () => {
    const clock = new ClockOffset();
    // The server is 5 s ahead: its work [6000, 6300] happened inside the page's [990, 1310].
    clock.observe(6_000, 990, 1_310, 6_300);
    expect(clock.offsetMs).toBeGreaterThanOrEqual(4_990);
    expect(clock.offsetMs).toBeLessThanOrEqual(5_010);
  });
});
