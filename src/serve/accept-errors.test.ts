import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import {
  ACCEPT_BACKOFF,
  ACCEPT_ERROR_LOG_INTERVAL_MS,
  acceptBackoffMs,
  createAcceptErrorLog,
} from './accept-errors.ts';

function logged(): {
  lines: Record<string, unknown>[];
  log: (now: () => number) => ReturnType<typeof createAcceptErrorLog>;
} {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    log: (now) =>
      createAcceptErrorLog(
        createLogger({ format: 'json', now, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
        42,
        now,
      ),
  };
}

describe('failed accepts', () => {
  it('are all counted, and logged at most once a second, the next line saying how many went unlogged', () => {
    let now = 0;
    const { lines, log } = logged();
    const errors = log(() => now);
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    for (let i = 0; i < 100; i++) errors.acceptFailed(emfile); // all in the same millisecond
    expect(errors.count).toBe(100);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'accept_failed', worker_id: 42, accept_errors: 1 });
    expect(String(lines[0]!.message)).toContain('EMFILE');

    now = ACCEPT_ERROR_LOG_INTERVAL_MS - 1;
    errors.acceptFailed(emfile);
    expect(lines).toHaveLength(1);
    now = ACCEPT_ERROR_LOG_INTERVAL_MS;
    errors.acceptFailed(emfile);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ accept_errors: 102 });
    expect(String(lines[1]!.message)).toContain('(101 failed accepts since the last line)');
  });

  it('are retried after a delay that doubles from 5 ms to at most 1 s, as Go does', () => {
    expect([1, 2, 3, 4].map(acceptBackoffMs)).toEqual([5, 10, 20, 40]);
    expect(acceptBackoffMs(8)).toBe(640);
    expect(acceptBackoffMs(9)).toBe(ACCEPT_BACKOFF.maxMs);
    expect(acceptBackoffMs(1_000)).toBe(ACCEPT_BACKOFF.maxMs);
  });
});
