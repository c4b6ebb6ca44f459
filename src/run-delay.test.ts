import { describe, expect, it } from 'vitest';
import { hearsClientLeave } from './run-delay.ts';

describe('hearsClientLeave', () => {
  it('is true for work a client that leaves can call off: a wait that lasts, and any pool task (queued or running)', () => {
    expect(hearsClientLeave({ mode: 'async', work: 'sleep', ms: 1 })).toBe(true);
    expect(hearsClientLeave({ mode: 'pool', work: 'sleep', ms: 0 })).toBe(true);
    expect(hearsClientLeave({ mode: 'pool', work: 'cpu', ms: 500 })).toBe(true);
  });

  it('is false for blocking work, which holds the loop, and for a wait of 0 ms, one turn of it', () => {
    expect(hearsClientLeave({ mode: 'blocking', work: 'sleep', ms: 1000 })).toBe(false);
    expect(hearsClientLeave({ mode: 'async', work: 'sleep', ms: 0 })).toBe(false);
  });
});
