import { describe, expect, it } from 'vitest';
import { childCpuSeconds, ownCpuTicks } from './proc-stat.ts';

// A real line's shape: pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17) …
const line = (comm: string, utime: number, stime: number, cutime: number, cstime: number) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1234 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 12345 1234567 890 18446744073709551615`;

describe('ownCpuTicks', () => {
  it('adds utime and stime', () => {
    expect(ownCpuTicks(line('node', 150, 30, 7, 1))).toBe(180);
  });
  it('counts fields from the last parenthesis, whatever the comm holds', () => {
    expect(ownCpuTicks(line('we ird) (name', 5, 6, 0, 0))).toBe(11);
  });
  it('is undefined for a malformed line', () => {
    expect(ownCpuTicks('')).toBeUndefined();
    expect(ownCpuTicks('4242 (node) S 1 2 3')).toBeUndefined();
  });
});

describe('childCpuSeconds', () => {
  it('adds cutime and cstime, in seconds', () => {
    expect(childCpuSeconds(line('sh', 1, 1, 250, 50), 100)).toBe(3);
  });
});
