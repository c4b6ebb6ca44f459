import { describe, expect, it } from 'vitest';
import { MAX_START_ATTEMPTS, RestartPolicy, STABLE_UPTIME_MS } from './restart-policy.ts';

describe('RestartPolicy', () => {
  it('restarts a healthy process at once, however often', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 10; i++) expect(policy.onExit(STABLE_UPTIME_MS, true)).toEqual({ giveUp: false, delayMs: 0 });
  });

  it('backs off exponentially on failed starts, then gives up', () => {
    const policy = new RestartPolicy();
    const delays = Array.from({ length: MAX_START_ATTEMPTS - 1 }, () => policy.onExit(10, false));
    expect(delays).toEqual([100, 200, 400, 800].map((delayMs) => ({ giveUp: false, delayMs })));
    expect(policy.onExit(10, false)).toEqual({ giveUp: true, failedStarts: MAX_START_ATTEMPTS });
  });

  it('counts a process that never listened as a failed start, however long it ran', () => {
    const policy = new RestartPolicy();
    expect(policy.onExit(60_000, false)).toEqual({ giveUp: false, delayMs: 100 });
  });

  it('a healthy run in between resets the count', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < MAX_START_ATTEMPTS - 1; i++) policy.onExit(10, false);
    expect(policy.onExit(STABLE_UPTIME_MS, true)).toEqual({ giveUp: false, delayMs: 0 });
    expect(policy.onExit(10, false)).toEqual({ giveUp: false, delayMs: 100 });
  });
});
