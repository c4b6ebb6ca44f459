import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { RequestTimeoutError } from './errors.ts';
import { fakeRuntime } from './fake-runtime.ts';
import { createLogger } from './logger.ts';
import { withinRequestTimeout } from './request-timeout.ts';

/** A value no other timer of the app uses, so that its timers can be told apart. */
const REQUEST_TIMEOUT_MS = 12_345;

function app() {
  return createApp({
    runtime: fakeRuntime(),
    defaultMode: 'async',
    maxDelayMs: 10_000,
    logger: createLogger({ format: 'off', now: () => 0 }),
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
}

/** A body whose first bytes came and whose rest never does. */
function tricklingRequest(headers: Record<string, string> = {}): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"ms":'));
    },
  });
  return new Request('http://localhost/delay?ms=1', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('withinRequestTimeout', () => {
  it('rejects with a 408 that closes the connection once the time is up', async () => {
    vi.useFakeTimers();
    const reading = withinRequestTimeout(new Promise<never>(() => {}), 100);
    const outcome = expect(reading).rejects.toBeInstanceOf(RequestTimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
    const response = new RequestTimeoutError(100).toResponse();
    expect(response.status).toBe(408);
    expect(response.headers.get('connection')).toBe('close');
  });

  it('gives the body when it comes in time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await expect(withinRequestTimeout(Promise.resolve('{}'), 100)).resolves.toBe('{}');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the app at --request-timeout', () => {
  it.each([
    ['a declared length', { 'Content-Length': '8000' }],
    ['no declared length (read through the size limit)', {}],
  ])('answers 408 with Connection: close to a body with %s that stops arriving', async (_, headers) => {
    vi.useFakeTimers();
    const answer = app().fetch(tricklingRequest(headers));
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    const response = await answer;
    expect(response.status).toBe(408);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ error: 'invalid_request', message: expect.stringContaining('12345 ms') });
  });

  it('starts no timer for a request without a body (GET /, POST /delay), nor for one already here', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const lab = app();
    await lab.request('/');
    await lab.request('/delay?ms=0', { method: 'POST' });
    await lab.request('/delay?ms=0', { method: 'POST', headers: { 'Content-Length': '0' } });
    await lab.request('/delay?ms=0', { method: 'POST', body: '{}' });
    expect(setTimer.mock.calls.filter(([, ms]) => ms === REQUEST_TIMEOUT_MS)).toEqual([]);
    // The same spy sees the timer of a body whose end comes with later I/O (here, a later macrotask).
    let part = 0;
    const later = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (part++ === 0) return controller.enqueue(new TextEncoder().encode('{'));
        await new Promise((resolve) => setTimeout(resolve, 0));
        controller.enqueue(new TextEncoder().encode('}'));
        controller.close();
      },
    });
    const answer = await lab.fetch(
      new Request('http://localhost/delay?ms=0', { method: 'POST', body: later, duplex: 'half' } as RequestInit),
    );
    expect(answer.status).toBe(200);
    expect(setTimer.mock.calls.filter(([, ms]) => ms === REQUEST_TIMEOUT_MS)).toHaveLength(1);
  });
});
