import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep } from './abortable-sleep.ts';
import { WorkCancelledError } from './errors.ts';

afterEach(() => vi.useRealTimers());

describe('abortableSleep', () => {
  it('resolves once its time has passed, and leaves no listener on the signal', async () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const remove = vi.spyOn(client.signal, 'removeEventListener');
    let done = false;
    const waiting = abortableSleep(1000, client.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is called off when its client leaves: rejects with WorkCancelledError and clears its timer', async () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const waiting = abortableSleep(1000, client.signal);
    const outcome = expect(waiting).rejects.toBeInstanceOf(WorkCancelledError);
    await vi.advanceTimersByTimeAsync(10);
    client.abort();
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for a client already gone', async () => {
    await expect(abortableSleep(1000, AbortSignal.abort())).rejects.toBeInstanceOf(WorkCancelledError);
  });
});
