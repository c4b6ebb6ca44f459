// #23: on Workers only a request that will block pays for the spin's calibration; an isolate's first
// async, 404 or GET request does not. Played on Node with the live clock wrangler dev has.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { CalibratedSpin } from './calibrated-spin.ts';
import { createWorkersRuntime } from './cloudflare-runtime.ts';

// Workers' timer, as this project's Node typecheck sees the adapter (the Workers one has the real type).
declare global {
  var scheduler: { wait(ms: number, options?: { signal?: AbortSignal }): Promise<void> };
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the Workers runtime calibrates lazily', () => {
  it('leaves the spin uncalibrated through async, 404 and GET requests, and calibrates before the first block', async () => {
    // Workers' timer, for the async request.
    globalThis.scheduler = { wait: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    const spin = new CalibratedSpin({ now: () => performance.now(), nextEvent: nextTick });
    const runtime = createWorkersRuntime(spin);
    const app = createApp({
      runtime,
      defaultMode: 'async',
      maxDelayMs: 1000,
      logger: createLogger({ format: 'off', now: runtime.now }),
    });
    expect((await app.request('/delay?mode=async&ms=1', { method: 'POST' })).status).toBe(200);
    expect((await app.request('/nope', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/delay?mode=pool&ms=1', { method: 'POST' })).status).toBe(501);
    expect(spin.calibrated).toBe(false);

    const blocking = await app.request('/delay?mode=blocking&ms=5&work=cpu', { method: 'POST' });
    expect(blocking.status).toBe(200);
    expect(spin.calibrated).toBe(true);
    expect(await blocking.json()).toMatchObject({ mode: 'blocking', work: 'cpu', cpu_ms: null });
  });
});
