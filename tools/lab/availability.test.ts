import { describe, expect, it } from 'vitest';
import { unavailableReason } from './availability.ts';
import { RUNTIMES, type RuntimeUnderTest } from '../harness/runtimes.ts';

const fake = (command: string, args: string[]): RuntimeUnderTest => ({
  ...RUNTIMES.node!,
  name: 'bun',
  command: () => ({ command, args }),
});

describe('unavailableReason', () => {
  it('finds node and its entry on this branch', () => {
    expect(unavailableReason(RUNTIMES.node!)).toBeUndefined();
  });
  it('says which binary is missing', () => {
    expect(unavailableReason(fake('no-such-runtime-binary', []))).toBe('no-such-runtime-binary is not installed');
  });
  it('finds binaries in node_modules/.bin, and says which entry file is missing', () => {
    expect(unavailableReason(fake('deno', ['run', '--allow-net', 'adapters/none/main.ts']))).toBe(
      'adapters/none/main.ts is missing (no bun adapter on this branch?)',
    );
  });
});
