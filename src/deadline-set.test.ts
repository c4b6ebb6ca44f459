import { describe, expect, it } from 'vitest';
import { DeadlineSet } from './deadline-set.ts';

describe('DeadlineSet', () => {
  it('counts a member until it is deleted or its deadline passes, whichever comes first', () => {
    let now = 1_000;
    const set = new DeadlineSet<string>(() => now);
    set.add('short', 1_100);
    set.add('long', 5_000);
    set.add('deleted', 5_000);
    expect(set.delete('deleted')).toBe(true);
    expect([set.size, set.members()]).toEqual([2, ['short', 'long']]);
    now = 1_099;
    expect(set.size).toBe(2);
    now = 1_100;
    expect([set.size, set.members()]).toEqual([1, ['long']]);
    // Gone for good: a late delete finds nothing, and the clock going back does not bring it back.
    expect(set.delete('short')).toBe(false);
    now = 0;
    expect(set.members()).toEqual(['long']);
  });

  it('reads no clock while empty', () => {
    const set = new DeadlineSet<string>(() => {
      throw new Error('clock read');
    });
    expect(set.size).toBe(0);
    expect(set.members()).toEqual([]);
  });
});
