// What a server must do when things go wrong, checked against the runtime under test: clients that
// go away, a lagging loop, SIGTERM under load, and the metrics that show it.
import { afterAll, describe, expect, it } from 'vitest';
import { post, request } from '../../tools/harness/http-client.ts';
import { overlappingPairs, toInterval } from '../support/intervals.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { describeIf, itIf } from '../support/conditional.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { startRuntime } from '../../tools/harness/start-runtime.ts';

const runtime = runtimeUnderTest();
/** Process-based runtimes (Node, Bun, Deno) run a loop-lag monitor and take flags. */
const isProcess = runtime.hasCli;

afterAll(stopAllServers);

/** A request the test abandons midway, as a client that disconnects would. */
function abandonable(url: string): { abort: () => void; done: Promise<unknown> } {
  const controller = new AbortController();
  const done = request(url, { method: 'POST', signal: controller.signal }).catch((error: unknown) => error);
  return { abort: () => controller.abort(), done };
}

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

describeIf(runtime.cancelsOnDisconnect)(`cancellation on ${runtime.name}`, () => {
  it('a client that goes away has its async wait cancelled', async () => {
    const server = await startRuntime(runtime);
    const client = abandonable(`${server.url}/delay?mode=async&ms=30000`);
    await server.process.waitForLog((entry) => entry.event === 'work_started');
    client.abort();
    await client.done;
    const cancelled = await server.process.waitForLog((entry) => entry.event === 'work_cancelled');
    expect(cancelled).toMatchObject({ mode: 'async', ms: 30000 });
    await server.process.stop();
  });

  itIf(runtime.hasPool)(
    'a client that goes away has its queued pool task dropped, and its queue place goes to the next request',
    async () => {
      // One thread and one queue place: two pool requests fill the pool, a third would get 503.
      const server = await startRuntime(runtime, { poolThreads: 1, maxQueue: 1 });
      const received = (id: number) =>
        server.process.waitForLog((entry) => entry.event === 'request_received' && entry.request_id === id);
      const running = post(`${server.url}/delay?mode=pool&ms=1000`);
      await received(1);
      const queued = abandonable(`${server.url}/delay?mode=pool&ms=1000`);
      await received(2);
      queued.abort();
      expect(await queued.done).toBeInstanceOf(Error); // the client that left got no answer
      await server.process.waitForLog((entry) => entry.event === 'work_cancelled' && entry.request_id === 2);

      const next = await post(`${server.url}/delay?mode=pool&ms=100`);
      expect(next.status, next.text).toBe(200);
      const first = await running;
      expect(first.status).toBe(200);
      expect(overlappingPairs([toInterval(first.json), toInterval(next.json)])).toEqual([]); // one thread: one after the other
      const metrics = (await request(`${server.url}/metrics`)).text;
      expect(metricValue(metrics, 'lab_pool_cancelled_total')).toBe(1);
      expect(metricValue(metrics, 'lab_pool_completed_total')).toBe(2);
      await server.process.stop();
    },
  );
});

describe(`GET /metrics on ${runtime.name}`, () => {
  it('counts requests by route, mode and status, in the Prometheus text format', async () => {
    const server = await startRuntime(runtime);
    await post(`${server.url}/delay?mode=async&ms=1`);
    await post(`${server.url}/delay?mode=blocking&ms=1`);
    await post(`${server.url}/delay?ms=oops`);
    for (const path of ['/nowhere', '/favicon.ico', '/nowhere'])
      expect((await request(`${server.url}${path}`)).status).toBe(404);
    const response = await request(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^text\/plain/);
    const text = response.text;
    expect(text).toContain('# TYPE lab_http_requests_total counter');
    expect(metricValue(text, 'lab_http_requests_total', { route: '/delay', mode: 'async', status: '200' })).toBe(1);
    expect(metricValue(text, 'lab_http_requests_total', { route: '/delay', mode: 'blocking', status: '200' })).toBe(1);
    expect(metricValue(text, 'lab_http_requests_total', { route: '/delay', status: '400' })).toBe(1);
    // Invented paths share one label: counted, but they cannot grow the output.
    expect(metricValue(text, 'lab_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(3);
    expect(metricValue(text, 'lab_http_requests_in_flight')).toBe(1);
    if (runtime.hasPool) expect(metricValue(text, 'lab_pool_threads_max')).toBeGreaterThan(0);
    if (isProcess) {
      expect(metricValue(text, 'lab_event_loop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
      expect(metricValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    }
    await server.process.stop();
  });
});

describeIf(isProcess)(`load shedding on ${runtime.name}`, () => {
  it('with --max-event-loop-delay, work that waited behind a blocked loop is refused with 503', async () => {
    const server = await startRuntime(runtime, { maxEventLoopDelayMs: 200 });
    const blocker = post(`${server.url}/delay?mode=blocking&ms=1000`);
    await server.process.waitForLog((entry) => entry.event === 'work_started');
    // Sent while the loop is held: it is read only after 1 s of lag, far above the 200 ms limit.
    const waited = post(`${server.url}/delay?mode=async&ms=1`);
    const health = request(`${server.url}/health`);
    expect((await blocker).status).toBe(200);
    const shed = await waited;
    expect(shed.status).toBe(503);
    expect(shed.json).toMatchObject({ error: 'overloaded' });
    expect(shed.headers['retry-after']).toBe('1');
    expect((await health).status).toBe(200); // probes are never shed
    // Once the loop has caught up (its next lag sample), work is accepted again.
    const deadline = Date.now() + 10_000;
    let shedCount = 1;
    let after = await post(`${server.url}/delay?mode=async&ms=1`);
    while (after.status === 503 && Date.now() < deadline) {
      shedCount++;
      after = await post(`${server.url}/delay?mode=async&ms=1`);
    }
    expect(after.status).toBe(200);
    // Every refusal counted, each once, and none left in flight: only this scrape is.
    const metrics = (await request(`${server.url}/metrics`)).text;
    expect(metricValue(metrics, 'lab_http_requests_total', { route: '/delay', mode: '', status: '503' })).toBe(
      shedCount,
    );
    expect(metricValue(metrics, 'lab_http_requests_in_flight')).toBe(1);
    await server.process.stop();
  });
});

describeIf(runtime.hasGracefulShutdown)(`SIGTERM under load on ${runtime.name}`, () => {
  it('finishes every in-flight request, refuses new connections, exits 0', async () => {
    const server = await startRuntime(runtime, { shutdownTimeoutMs: 10_000 });
    const inFlight = Array.from({ length: 20 }, () => post(`${server.url}/delay?mode=async&ms=1500`));
    for (let i = 1; i <= 20; i++)
      await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.request_id === i);
    const exited = server.process.stop();
    await server.process.waitForLog((entry) => entry.event === 'server_stopping');
    // Refused outright, or reset if it raced into the listen backlog as the socket closed: never served.
    const refused = await request(`${server.url}/health`).then(
      () => 'served',
      (error: { code?: string }) => error.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(refused);
    const responses = await Promise.all(inFlight);
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
