// A client that leaves in the middle of POST /delay, on every runtime: what the server does with
// the work, and what /metrics says afterwards. (Cancelling the work itself, where the runtime hears
// of the disconnect, is reliability.test.ts's.)
import { afterAll, describe, expect, it, vi } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime } from '../../tools/harness/start-runtime.ts';
import { parseExposition, total } from '../support/prometheus-text.ts';

const runtime = runtimeUnderTest();

afterAll(stopAllServers);

describe(`a client that leaves during an async wait, on ${runtime.name}`, () => {
  it('is counted once, with the status of what the server did, and lab_http_requests_in_flight is back to the scrape alone', async () => {
    const server = await startRuntime(runtime);
    const client = new AbortController();
    const leaving = request(`${server.url}/delay?mode=async&ms=1500`, { method: 'POST', signal: client.signal }).catch(
      (error: unknown) => error,
    );
    await server.process.waitForLog((entry) => entry.event === 'work_started');
    client.abort();
    expect(await leaving).toBeInstanceOf(Error);
    // Node, Bun and Deno hear of the disconnect during the wait: it is cancelled, and counted 499.
    // workerd hears of it only when it writes the answer: the wait runs out, and its 200 is counted.
    const [ended, status] = runtime.cancelsOnDisconnect ? ['work_cancelled', '499'] : ['response_sent', '200'];
    await server.process.waitForLog((entry) => entry.event === ended);
    await vi.waitFor(
      async () => {
        const { samples } = parseExposition((await request(`${server.url}/metrics`)).text);
        expect(total(samples, 'lab_http_requests_total', { route: '/delay' })).toBe(1);
        expect(total(samples, 'lab_http_requests_total', { route: '/delay', status })).toBe(1);
        expect(total(samples, 'lab_http_requests_in_flight')).toBe(1);
      },
      { timeout: 10_000, interval: 50 },
    );
    await server.process.stop();
  });
});
