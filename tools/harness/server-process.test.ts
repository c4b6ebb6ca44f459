import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openFileLimit, withFdLimit } from './server-process.ts';

describe('withFdLimit', () => {
  it('runs the command with the open-file limit raised, or at least set, and keeps its arguments', () => {
    const hard = Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || Infinity;
    const wanted = Math.min(4096, hard);
    const { command, args } = withFdLimit('/bin/sh', ['-c', 'echo "$(ulimit -n) $0 $1"', 'a b', 'c'], wanted);
    expect(execFileSync(command, args, { encoding: 'utf8' }).trim()).toBe(`${wanted} a b c`);
  });
  it('settles for the hard limit when asked for more', () => {
    const { command, args } = withFdLimit('/bin/sh', ['-c', 'echo "$(ulimit -n) $(ulimit -Hn)"'], 1 << 30);
    const [soft, hard] = execFileSync(command, args, { encoding: 'utf8' }).trim().split(' ');
    expect(soft).toBe(hard);
  });
});

describe('openFileLimit', () => {
  it("reads this process's soft limit", () => {
    expect(openFileLimit(process.pid)).toBeGreaterThan(0);
    expect(openFileLimit(-1)).toBeUndefined();
  });
});
