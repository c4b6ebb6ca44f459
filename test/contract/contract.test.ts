// The HTTP API (docs/api.md), checked against one runtime: CONTRACT_RUNTIME.
// Concurrency is judged from the start_time/end_time intervals the server reports, and from the
// order in which answers arrive, never from how long anything took. Every answer is also checked
// against the server's own /openapi.json (../support/openapi-conformance.ts): the document cannot drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keptAliveConnection,
  newConnectionPerRequest,
  request as send,
  post as sendPost,
  type HttpClient,
  type HttpResponse,
} from '../../tools/harness/http-client.ts';
import { assertConforms, documentFor } from '../support/openapi-conformance.ts';
import { overlappingPairs, toInterval, type Interval } from '../support/intervals.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { describeIf, itIf } from '../support/conditional.ts';
import { parentPid } from '../support/parent-pid.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { startRuntime as startServer, type StartedServer } from '../../tools/harness/start-runtime.ts';

const runtime = runtimeUnderTest();
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

afterAll(stopAllServers);

/** Starts a server and reads its /openapi.json at once, while it serves (a drain test stops it before its answer is checked). */
const startRuntime = async (...args: Parameters<typeof startServer>): Promise<StartedServer> => {
  const server = await startServer(...args);
  await documentFor(server.url);
  return server;
};

/** Every request of this suite: sent, then its answer checked against the server's document. */
const request: typeof send = async (url, options) =>
  assertConforms(options?.method ?? 'GET', url, await send(url, options));
const post = async (url: string, body?: unknown): Promise<HttpResponse> =>
  assertConforms('POST', url, await sendPost(url, body));

function errorOf(response: HttpResponse): { error: string; message: string } {
  return response.json as { error: string; message: string };
}

describe(`contract on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime, { maxDelayMs: 5_000 });
  });

  // Each request on a new connection, then all of them one after another on one kept-alive connection:
  // the same answers either way, and the kept-alive one is never closed under the client.
  describe.each([
    ['a new connection per request', newConnectionPerRequest],
    ['one kept-alive connection', keptAliveConnection],
  ])('sent on %s', (_how, makeClient) => {
    const client: HttpClient = makeClient();
    /** Each request's method and whether its answer came on a connection used before. */
    const sent: { method: string; reused: boolean }[] = [];
    const record = (method: string) => (response: HttpResponse) => (
      sent.push({ method, reused: response.reusedConnection }),
      response
    );
    const request: HttpClient['request'] = (url, options) =>
      client
        .request(url, options)
        .then(record(options?.method ?? 'GET'))
        .then((response) => assertConforms(options?.method ?? 'GET', url, response));
    const post: HttpClient['post'] = (url, body) =>
      client
        .post(url, body)
        .then(record('POST'))
        .then((response) => assertConforms('POST', url, response));
    afterAll(() => client.close());

    it('GET / says hello with the worker id and runtime', async () => {
      const response = await request(`${server.url}/`);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ message: 'Hello World', worker_id: expect.anything(), runtime: runtime.name });
      expect(['number', 'string']).toContain(typeof (response.json as { worker_id: unknown }).worker_id);
      // A process runtime's worker_id is its pid, the process the harness started (Workers: an isolate id);
      // under --workers, one of the processes that the supervisor, the one the harness started, runs.
      const workerId = (response.json as { worker_id: unknown }).worker_id;
      if (runtime.hasCli && server.workers === 1) expect(workerId).toBe(server.process.pid);
      if (runtime.hasCli && server.workers > 1) expect(parentPid(workerId as number)).toBe(server.process.pid);
    });

    it('GET /health answers ok, and HEAD answers without a body', async () => {
      expect((await request(`${server.url}/health`)).json).toEqual({ status: 'ok' });
      const head = await request(`${server.url}/health`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
    });

    it('GET /info describes the server and its capabilities', async () => {
      const info = (await request(`${server.url}/info`)).json as Record<string, unknown>;
      expect(info).toMatchObject({ runtime: runtime.name, default_mode: 'async', max_delay_ms: 5_000 });
      expect(typeof info.version).toBe('string');
      expect(info.modes).toEqual(runtime.hasPool ? ['blocking', 'async', 'pool'] : ['blocking', 'async']);
      if (runtime.hasPool)
        expect(info.pool).toMatchObject({ max_threads: expect.any(Number), max_queue: expect.any(Number) });
      else expect(info.pool).toBeNull();
    });

    it('POST /delay runs the requested work and reports when it ran', async () => {
      const response = await post(`${server.url}/delay?mode=async&ms=50`);
      expect(response.status).toBe(200);
      const body = response.json as Record<string, unknown>;
      expect(body).toMatchObject({
        message: 'Response after 0.05 seconds delay',
        mode: 'async',
        work: 'sleep',
        ms: 50,
        runtime: runtime.name,
        thread_id: 0,
      });
      expect(body.start_time).toMatch(TIMESTAMP);
      expect(body.end_time).toMatch(TIMESTAMP);
      const interval = toInterval(body);
      expect(interval.end - interval.start).toBeGreaterThanOrEqual(49);
    });

    it('POST /delay takes its parameters from a JSON body too', async () => {
      const response = await post(`${server.url}/delay`, { mode: 'blocking', ms: 20, work: 'cpu' });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        mode: 'blocking',
        work: 'cpu',
        ms: 20,
        thread_id: 0,
        message: 'Response after 0.02 seconds delay',
      });
    });

    itIf(runtime.hasPool)('mode=pool runs the work on a pool thread', async () => {
      const response = await post(`${server.url}/delay?mode=pool&ms=20&work=cpu`);
      expect(response.status).toBe(200);
      expect((response.json as { thread_id: number }).thread_id).not.toBe(0);
    });

    itIf(!runtime.hasPool)('mode=pool answers 501 and names the modes that work', async () => {
      const response = await post(`${server.url}/delay?mode=pool&ms=20`);
      expect(response.status).toBe(501);
      expect(errorOf(response).error).toBe('mode_unsupported');
      expect(errorOf(response).message).toMatch(/blocking.*async/);
    });

    const badRequests: [string, string, unknown][] = [
      ['ms not a number', '/delay?ms=abc', undefined],
      ['ms fractional', '/delay?ms=1.5', undefined],
      ['ms negative', '/delay?ms=-1', undefined],
      ['ms above the maximum', '/delay?ms=5001', undefined],
      ['ms in exponent form', '/delay?ms=1e3', undefined],
      ['unknown mode', '/delay?mode=turbo&ms=1', undefined],
      ['unknown work', '/delay?work=dance&ms=1', undefined],
      ['async with cpu work', '/delay?mode=async&work=cpu&ms=1', undefined],
      ['a body that is not JSON', '/delay', '{"ms":'],
      ['a JSON body that is not an object', '/delay', '[1,2]'],
      ['ms as a JSON float', '/delay', '{"ms":2.5}'],
      ['an unknown parameter', '/delay?speed=9', undefined],
      ['query and body that disagree', '/delay?ms=1', '{"ms":2}'],
    ];
    it.each(badRequests)('400 invalid_request for %s', async (_what, path, body) => {
      const response = await request(`${server.url}${path}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body: body as string, headers: { 'content-type': 'application/json' } }),
      });
      expect(response.status).toBe(400);
      expect(errorOf(response).error).toBe('invalid_request');
      expect(errorOf(response).message.length).toBeGreaterThan(10);
      expect(response.text).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
    });

    it('404 not_found in JSON for an unknown route', async () => {
      const response = await request(`${server.url}/nowhere`);
      expect(response.status).toBe(404);
      expect(errorOf(response).error).toBe('not_found');
    });

    it('405 with Allow for a known route and the wrong method', async () => {
      const response = await request(`${server.url}/delay`);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(errorOf(response).error).toBe('method_not_allowed');
    });

    it('413 payload_too_large for a body above the limit', async () => {
      const response = await request(`${server.url}/delay`, {
        method: 'POST',
        body: JSON.stringify({ ms: 1, padding: 'x'.repeat(64 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(413);
      expect(errorOf(response).error).toBe('payload_too_large');
    });

    it('the body limit is 16,384 bytes: a body of exactly that is read, one byte more is refused', async () => {
      const body = (size: number): string => {
        // A valid body (no unknown parameter), made long with whitespace JSON allows.
        const text = `{"ms":1${' '.repeat(size - 8)}}`;
        expect(text).toHaveLength(size);
        return text;
      };
      const headers = { 'content-type': 'application/json' };
      const within = await request(`${server.url}/delay`, { method: 'POST', body: body(16_384), headers });
      expect(within.status, within.text).toBe(200);
      const above = await request(`${server.url}/delay`, { method: 'POST', body: body(16_385), headers });
      expect(above.status).toBe(413);
      expect(errorOf(above).error).toBe('payload_too_large');
    });

    it('stays up after every bad request, and a kept-alive connection stays open through all of them', async () => {
      expect((await request(`${server.url}/health`)).status).toBe(200);
      if (makeClient !== keptAliveConnection) return;
      // Every request after the first went on a connection already used: every answer, the 400s and
      // the 413 included, kept it. Except right after a HEAD: node:http's client drops a connection
      // whose HEAD answer has no Content-Length (it cannot tell in time that no body follows), and
      // Node's server sends none there; the server keeps the connection (keep-alive.test.ts).
      const fresh = sent.filter((answer, i) => i > 0 && !answer.reused && sent[i - 1]!.method !== 'HEAD');
      expect(fresh).toEqual([]);
    });
  });
});

/** Polls GET /metrics until a gauge shows `value` (a condition, not a timed wait). */
async function waitForMetric(url: string, name: string, value: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await request(`${url}/metrics`)).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
    if (line && Number(line.slice(line.lastIndexOf(' ') + 1)) === value) return;
    if (Date.now() > deadline) throw new Error(`${name} never reached ${value}; last metrics:\n${text}`);
  }
}

/** Fires `count` delay requests at once, each on its own connection. */
function fire(url: string, count: number, query: string): Promise<HttpResponse>[] {
  return Array.from({ length: count }, () => post(`${url}/delay?${query}`));
}

function intervalsOf(responses: HttpResponse[]): Interval[] {
  for (const response of responses) expect(response.status, response.text).toBe(200);
  return responses.map((response) => toInterval(response.json));
}

describe(`concurrency on ${runtime.name}, one process`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    // One process whatever CONTRACT_WORKERS says: what is judged is one event loop and its one pool.
    server = await startRuntime(runtime, { workers: 1 });
  });

  it('blocking: concurrent requests never overlap, and /health waits behind them', async () => {
    const delays = fire(server.url, 3, 'mode=blocking&ms=300');
    // The loop is now held by the first request's work: a health check can only be answered after it.
    await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.mode === 'blocking');
    const health = await request(`${server.url}/health`);
    const responses = await Promise.all(delays);
    const intervals = intervalsOf(responses);
    expect(overlappingPairs(intervals)).toEqual([]);
    // Each held the loop for its whole ms: zero-length intervals would not overlap either.
    for (const interval of intervals) expect(interval.end - interval.start).toBeGreaterThanOrEqual(299);
    const firstDelayAnswered = Math.min(...responses.map((response) => response.receivedAt));
    expect(health.receivedAt).toBeGreaterThanOrEqual(firstDelayAnswered);
  });

  it('blocking with work=cpu: concurrent requests never overlap either', async () => {
    const responses = await Promise.all(fire(server.url, 3, 'mode=blocking&work=cpu&ms=150'));
    const intervals = intervalsOf(responses);
    expect(overlappingPairs(intervals)).toEqual([]);
    // CPU work is a calibrated amount of computation, not a wait for the clock: about ms on an idle
    // core, a little less or more as the calibration read the machine. Work that returned at once
    // would take next to nothing.
    for (const interval of intervals) expect(interval.end - interval.start).toBeGreaterThanOrEqual(75);
  });

  // Waits of 2 s: far longer than five connections take to arrive, even on a loaded machine.
  it('async: concurrent requests overlap, and /health answers while they wait', async () => {
    const delays = fire(server.url, 5, 'mode=async&ms=2000');
    const health = await request(`${server.url}/health`);
    const responses = await Promise.all(delays);
    const intervals = intervalsOf(responses);
    expect(overlappingPairs(intervals)).toHaveLength((5 * 4) / 2);
    expect(health.receivedAt).toBeLessThan(Math.min(...responses.map((response) => response.receivedAt)));
  });

  itIf(runtime.hasPool)(
    'pool: concurrent requests overlap on different threads, and /health answers meanwhile',
    async () => {
      // Threads start on demand, and a start can take a few hundred ms on a busy machine: start five
      // first, so that what is judged is the pool's concurrency, not its growth.
      intervalsOf(await Promise.all(fire(server.url, 5, 'mode=pool&ms=300')));
      const delays = fire(server.url, 5, 'mode=pool&ms=2000');
      const health = await request(`${server.url}/health`);
      const responses = await Promise.all(delays);
      const intervals = intervalsOf(responses);
      expect(overlappingPairs(intervals)).toHaveLength((5 * 4) / 2);
      expect(new Set(intervals.map((interval) => interval.threadId)).size).toBe(5);
      expect(intervals.every((interval) => interval.threadId !== 0)).toBe(true);
      expect(health.receivedAt).toBeLessThan(Math.min(...responses.map((response) => response.receivedAt)));
    },
  );

  itIf(runtime.hasPool)('pool with work=cpu: CPU-bound requests run side by side', async () => {
    const intervals = intervalsOf(await Promise.all(fire(server.url, 2, 'mode=pool&work=cpu&ms=300')));
    expect(overlappingPairs(intervals)).toHaveLength(1);
  });
});

describeIf(runtime.hasPool)(`bounded pool queue on ${runtime.name}`, () => {
  it('answers 503 overloaded with Retry-After once threads and queue are full, and completes the rest', async () => {
    // One process (CONTRACT_WORKERS aside): each process has a pool of its own.
    const server = await startRuntime(runtime, { poolThreads: 1, maxQueue: 1, workers: 1 });
    // The one thread is taken (the pool's own metrics say so) by a task long enough to outlast the rest.
    const holding = post(`${server.url}/delay?mode=pool&ms=3000`);
    await waitForMetric(server.url, 'lab_pool_busy_threads', 1);
    const responses = await Promise.all(fire(server.url, 3, 'mode=pool&ms=100'));
    const accepted = [await holding, ...responses.filter((response) => response.status === 200)];
    const shed = responses.filter((response) => response.status === 503);
    expect(accepted).toHaveLength(2); // the holder, and one in the queue
    expect(shed).toHaveLength(2);
    for (const response of shed) {
      expect(errorOf(response).error).toBe('overloaded');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // One thread: the two accepted requests ran one after the other.
    expect(overlappingPairs(intervalsOf(accepted))).toEqual([]);
    await server.process.stop();
  });
});

describeIf(runtime.hasWorkers)(`--workers 2 on ${runtime.name}`, () => {
  it('blocking requests spread over distinct processes, overlapping only across them, and all stop', async () => {
    const server = await startRuntime(runtime, { mode: 'blocking', workers: 2 });
    // Many short requests: with kernel hashing (reusePort) all of them landing on one process is
    // as likely as 2^-15.
    const responses = await Promise.all(fire(server.url, 16, 'ms=100'));
    const intervals = intervalsOf(responses);
    const workers = new Set(intervals.map((interval) => interval.workerId));
    expect(workers.size).toBe(2);
    expect(workers.has(server.process.pid)).toBe(false); // the supervisor serves nothing itself
    for (const [a, b] of overlappingPairs(intervals)) expect(a.workerId).not.toBe(b.workerId);

    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
  });
});
describeIf(runtime.hasGracefulShutdown)(`graceful shutdown on ${runtime.name}`, () => {
  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const server = await startRuntime(runtime);
    const inFlight = post(`${server.url}/delay?mode=async&ms=1000`);
    await server.process.waitForLog((entry) => entry.event === 'work_started');
    const exit = server.process.stop();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});

describeIf(runtime.hasCli)(`command line of ${runtime.name}`, () => {
  it('a bad flag value exits non-zero with a message naming the flag', async () => {
    const { command, args } = runtime.command(0, {});
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(command, [...args, '--mode=turbo'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--mode');
  });
});
