// A pool task waiting in the queue is dropped when its client goes away, and its place in the
// bounded queue is free again: the next request runs instead of being shed with 503.
import { afterAll, describe, expect, it } from 'vitest';
import { post, request } from '../support/http-client.ts';
import { overlappingPairs, toInterval } from '../support/intervals.ts';
import { stopAllServers } from '../support/server-process.ts';
import { runtimeUnderTest } from './runtimes.ts';
import { startRuntime } from './start.ts';

const runtime = runtimeUnderTest();
const describeIf = (condition: boolean): typeof describe | ((...args: unknown[]) => void) => (condition ? describe : () => {});

afterAll(stopAllServers);

describeIf(runtime.hasPool)(`pool queue cancellation on ${runtime.name}`, () => {
  it('drops a queued task whose client left, so that its queue place goes to the next request', async () => {
    // One thread and one queue place: two pool requests fill the pool, a third would get 503.
    const server = await startRuntime(runtime, { poolThreads: 1, maxQueue: 1 });
    const received = (id: number) => server.process.waitForLog((entry) => entry.event === 'request_received' && entry.request_id === id);

    const running = post(`${server.url}/delay?mode=pool&ms=1000`);
    await received(1);
    const leaving = new AbortController();
    const queued = request(`${server.url}/delay?mode=pool&ms=1000`, { method: 'POST', signal: leaving.signal }).catch((error: unknown) => error);
    await received(2);
    leaving.abort();
    await server.process.waitForLog((entry) => entry.event === 'work_cancelled' && entry.request_id === 2);

    const next = await post(`${server.url}/delay?mode=pool&ms=100`);
    expect(next.status, next.text).toBe(200);
    const first = await running;
    expect(first.status).toBe(200);
    expect(overlappingPairs([toInterval(first.json), toInterval(next.json)])).toEqual([]); // one thread: one after the other
    expect(await queued).toBeInstanceOf(Error); // the client that left got no answer
    await server.process.stop();
  });
});
