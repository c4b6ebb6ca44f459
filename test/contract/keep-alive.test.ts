// Kept-alive connections, checked against the runtime under test (docs/reliability.md#kept-alive-connections):
// no request fails because of the one before it on the same connection, two requests in one packet
// get two answers in order, slow and silent clients delay nobody, and a shutdown neither keeps
// serving a busy kept-alive client nor waits for a slow one.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTION_TIMEOUTS, UNREAD_BODY_DISCARD_BYTES } from '../../src/serve/connections.ts';
import { keptAliveConnection, post, type HttpClient } from '../../tools/harness/http-client.ts';
import { ClosedWithoutAnswer, requestBytes, type RawResponse } from '../../tools/harness/raw-connection.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { trackedRawConnections } from '../support/raw-connections.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { closedSoFar, startSlowClients } from '../../tools/harness/slow-clients.ts';
import { contractWorkers, startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { describeIf, itIf } from '../support/conditional.ts';

const runtime = runtimeUnderTest();
const KIB = 1024;

afterAll(stopAllServers);

/** Every raw connection a test opens, closed after it whatever happened. */
const connection = trackedRawConnections();

function errorCode(response: RawResponse): unknown {
  return (response.json as { error?: unknown } | undefined)?.error;
}

describe(`answers before the body was read, on one kept-alive connection, on ${runtime.name}`, () => {
  // [what, request, status]: each answered without the app reading the body whole.
  const cases: [string, () => Buffer, number][] = [
    ['404 to a POST with a body', () => requestBytes('POST', '/nowhere', { body: 'x'.repeat(8 * KIB) }), 404],
    ['405 to a PUT with a body', () => requestBytes('PUT', '/delay', { body: 'x'.repeat(8 * KIB) }), 405],
    [
      '413 from Content-Length, 64 KiB',
      () =>
        requestBytes('POST', '/delay', { body: 'x'.repeat(64 * KIB), headers: { 'Content-Type': 'application/json' } }),
      413,
    ],
    [
      '413 from Content-Length, just under the discard limit',
      () => requestBytes('POST', '/delay', { body: 'x'.repeat(UNREAD_BODY_DISCARD_BYTES - KIB) }),
      413,
    ],
    ['413 from Content-Length, 1 MiB', () => requestBytes('POST', '/delay', { body: 'x'.repeat(1024 * KIB) }), 413],
    [
      '400 to a body that is not JSON',
      () => requestBytes('POST', '/delay', { body: '{"ms":', headers: { 'Content-Type': 'application/json' } }),
      400,
    ],
  ];
  if (runtime.answersAfterUnreadChunkedBody) {
    cases.push([
      '413 to a chunked body the app stops reading',
      () => chunked('POST', '/delay', 'x'.repeat(40 * KIB)),
      413,
    ]);
  }

  let server: StartedServer;
  it.each(cases)(
    '%s: the answer says Connection: close, or the next request on the connection is answered',
    async (_what, bytes, status) => {
      server ??= await startRuntime(runtime);
      const first = await connection(server.port);
      first.write(bytes());
      const answer = await first.next('POST');
      expect(answer.status).toBe(status);
      const declared = Number(/content-length: (\d+)/i.exec(bytes().toString('latin1', 0, 300))?.[1] ?? Number.NaN);
      if (declared <= UNREAD_BODY_DISCARD_BYTES)
        expect(answer.closes, 'a remainder within the limit is read and thrown away').toBe(false);
      if (runtime.closesAboveUnreadBodyBytes !== undefined && declared > runtime.closesAboveUnreadBodyBytes)
        expect(answer.closes).toBe(true);
      if (answer.closes) {
        // Not reused, as the answer said; the server ends it (Deno leaves that to the client).
        if (runtime.closesAfterConnectionClose) await first.closedByServer;
        const next = await (await connection(server.port)).request('GET', '/health');
        expect(next.status).toBe(200);
      } else {
        // Promised keep-alive: the next request on the same connection is answered.
        const next = await first.request('POST', '/delay?mode=async&ms=1');
        expect(next.status, next.text).toBe(200);
        expect(first.ended).toBe(false);
      }
    },
  );
});

/** A request whose body is sent in chunked encoding, in 16 KiB chunks. */
function chunked(method: string, path: string, body: string): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < body.length; i += 16 * KIB) {
    const chunk = body.slice(i, i + 16 * KIB);
    parts.push(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
  }
  return Buffer.concat([
    requestBytes(method, path, { headers: { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' } }),
    Buffer.from(`${parts.join('')}0\r\n\r\n`),
  ]);
}

describe(`pipelining on ${runtime.name}`, () => {
  let server: StartedServer;

  it('requests written in one packet and answered at once get their answers, in order', async () => {
    server ??= await startRuntime(runtime);
    // GET /info of a lone process is answered at once. Under --workers it is not: it collects every
    // process's figures through the supervisor (docs/observability.md), which makes it a case of the
    // test below; GET / stands in for it there.
    const json = server.workers === 1 ? '/info' : '/';
    const raw = await connection(server.port);
    raw.write(
      Buffer.concat([
        requestBytes('GET', '/health'),
        requestBytes('HEAD', '/health'),
        requestBytes('GET', json),
        requestBytes('POST', '/nowhere', { body: 'x' }),
      ]),
    );
    const answers = [await raw.next(), await raw.next('HEAD'), await raw.next(), await raw.next('POST')];
    expect(answers.map((answer) => [answer.status, answer.closes])).toEqual([
      [200, false],
      [200, false],
      [200, false],
      [404, false],
    ]);
    expect(answers[0]!.json).toEqual({ status: 'ok' });
    expect(answers[1]!.text).toBe('');
    expect(answers[2]!.json).toMatchObject({ runtime: runtime.name });
  });

  itIf(runtime.pipelinesBehindPendingAnswer)(
    'two requests in one packet, the first answered later: two answers, in order',
    async () => {
      server ??= await startRuntime(runtime);
      const raw = await pipelineSlowThenFast(server.port);
      const first = await raw.next('POST');
      const second = await raw.next();
      expect(first.json).toMatchObject({ mode: 'async', ms: 200 });
      expect(second.json).toEqual({ status: 'ok' });
    },
  );

  itIf(!runtime.pipelinesBehindPendingAnswer)(
    'two requests in one packet, the first answered later: the connection closes with neither answered, so the client retries both',
    async () => {
      server ??= await startRuntime(runtime);
      const raw = await pipelineSlowThenFast(server.port);
      await expect(raw.next('POST')).rejects.toBeInstanceOf(ClosedWithoutAnswer);
      await raw.closedByServer;
      expect((await (await connection(server.port)).request('GET', '/health')).status).toBe(200);
    },
  );
});

describe(`slow and idle clients on ${runtime.name}`, () => {
  const TRICKLING = 1_000;
  const SILENT = 200;
  /** /health requests one after another on a kept-alive connection while the slow clients hold theirs. */
  const PROBES = 300;

  it(`${TRICKLING} connections trickling their headers and ${SILENT} silent ones delay nobody, and are closed by the header timeout where there is one`, async () => {
    const server = await startRuntime(runtime, { maxDelayMs: 30_000 }, { holdsConnections: TRICKLING + SILENT });
    // Longer than the idle timeout: the connection must not be taken for idle while the app works.
    // Well beyond it: Bun's idle timer is checked every few seconds (measured on 1.4.5: a connection
    // left to it was closed 12 s into a 10 s timeout), so a margin of 1 s would not tell.
    const longRequest = post(`${server.url}/delay?mode=async&ms=${CONNECTION_TIMEOUTS.idleMs + 6_000}`);
    longRequest.catch(() => {}); // awaited below; this only keeps an early failure from reporting it twice
    const idle = await connection(server.port);
    expect((await idle.request('GET', '/health')).closes).toBe(false);
    const clients = await startSlowClients(server.port, { trickling: TRICKLING, silent: SILENT });

    const health: HttpClient = keptAliveConnection();
    const latencies: number[] = [];
    try {
      for (let i = 0; i < PROBES; i++) {
        const started = performance.now();
        const response = await health.request(`${server.url}/health`);
        latencies.push(performance.now() - started);
        expect(response.status).toBe(200);
      }
    } finally {
      health.close();
    }
    const work = await post(`${server.url}/delay?mode=async&ms=50`);
    expect(work.status, work.text).toBe(200);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    // A loopback /health takes a millisecond or two; a server that waited on the slow clients would
    // take seconds. Generous, for a loaded two-core machine.
    expect(p99, `/health p99 ${p99.toFixed(1)} ms over ${PROBES} probes`).toBeLessThan(1_000);

    const all = TRICKLING + SILENT;
    if (runtime.slowHeaders !== 'kept') {
      await clients.waitForLog(
        (entry) => entry.event === 'slow_clients_closed' && entry.closed === all,
        CONNECTION_TIMEOUTS.headersMs + 20_000,
      );
      if (runtime.slowHeaders === 'json 408')
        expect(closedSoFar(clients)).toMatchObject({ answered: all, json_408: all });
    } else {
      expect(closedSoFar(clients).closed).toBe(0);
    }
    if (runtime.closesIdleConnections) await idle.closedByServer;
    const long = await longRequest;
    expect(long.status, long.text).toBe(200);
    await clients.stop();
    await server.process.stop();
  }, 90_000);
});

describeIf(runtime.hasGracefulShutdown)(`shutdown with kept-alive connections on ${runtime.name}`, () => {
  /** The drain's deadline: far above the 1.5 s of work in flight, far below the header timeout a drain that waited for slow clients would need. */
  const SHUTDOWN_TIMEOUT_MS = 5_000;

  /** A client that asks /health every 100 ms, on its own kept-alive connection, until told to stop. */
  function keepAsking(url: string): { stop: () => Promise<{ status?: number; code?: string; at: number }[]> } {
    const client = keptAliveConnection();
    const outcomes: { status?: number; code?: string; at: number }[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        outcomes.push(
          await client.request(url).then(
            (r) => ({ status: r.status, at: r.receivedAt }),
            (e: { code?: string }) => ({ code: e.code ?? 'error', at: Date.now() }),
          ),
        );
        await delay(100);
      }
    })();
    let stopped: Promise<typeof outcomes> | undefined;
    return {
      // Once, whether the test got that far or failed before.
      stop: () =>
        (stopped ??= (async () => {
          running = false;
          await loop;
          client.close();
          return outcomes;
        })()),
    };
  }
  let asking: ReturnType<typeof keepAsking> | undefined;
  afterEach(() => asking?.stop());

  it('an open live-lab event stream ends when the drain begins, instead of holding the shutdown', async () => {
    const server = await startRuntime(runtime, { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
    const raw = await connection(server.port);
    const stream = raw.request('GET', '/lab/events?for=60000');
    void stream.catch(() => {}); // awaited below
    await vi.waitFor(() => expect(raw.received).toBeGreaterThan(0), { timeout: 15_000, interval: 20 });
    server.process.child.kill('SIGTERM');
    // Ended by the server, whole: its last chunk, not a cut connection.
    const ended = await stream;
    expect([ended.status, ended.headers['content-type']]).toEqual([200, 'text/event-stream']);
    expect(ended.text).toContain('event: hello');
    expect(await server.process.exited).toEqual({ code: 0, signal: null });
    expect(server.process.logs.filter((entry) => entry.level === 'warn')).toEqual([]);
  });

  // Each names its own --workers, so a run under CONTRACT_WORKERS (the *-workers projects) would only
  // repeat them: the run without it has them.
  const drainWorkers = contractWorkers() !== undefined ? [] : runtime.hasWorkers ? [1, 2] : [1];
  it.each(drainWorkers)(
    '--workers %i: answers in flight say Connection: close, each connection closes after its answer, and the process exits with the last answer, not with the last client',
    async (workers) => {
      const server = await startRuntime(runtime, { workers, shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
      // Five kept-alive connections that have each been answered once, and one left idle.
      const busy = await Promise.all(Array.from({ length: 5 }, () => connection(server.port)));
      for (const raw of busy) expect((await raw.request('GET', '/health')).closes).toBe(false);
      const idle = await connection(server.port);
      expect((await idle.request('GET', '/health')).closes).toBe(false);
      // A client still sending its headers, and one that says nothing: the drain must not wait for them.
      const halfSent = await connection(server.port);
      halfSent.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await connection(server.port);
      asking = keepAsking(`${server.url}/health`);

      const answers = busy.map((raw) => raw.request('POST', '/delay?mode=async&ms=1500'));
      void Promise.allSettled(answers); // awaited below; this only keeps an early failure from reporting them twice
      await vi.waitFor(() => expect(server.process.count('work_started')).toBe(5), { timeout: 15_000, interval: 20 });
      const exitedAt = server.process.exited.then((exit) => ({ ...exit, at: Date.now() }));
      server.process.child.kill('SIGTERM');
      // Every process serving has begun its drain (a supervisor logs server_stopping too).
      await vi.waitFor(() => expect(server.process.count('server_stopping')).toBe(workers === 1 ? 1 : workers + 1), {
        timeout: 15_000,
        interval: 20,
      });

      // An idle kept-alive connection is closed at once; one with half a request too where the runtime
      // does that, else its request, once whole, is refused with 503 and Connection: close.
      await idle.closedByServer;
      if (runtime.drainClosesHalfSentRequests) {
        await halfSent.closedByServer;
      } else {
        halfSent.write('\r\n');
        const refused = await halfSent.next();
        expect([refused.status, errorCode(refused), refused.closes]).toEqual([503, 'shutting_down', true]);
        await halfSent.closedByServer;
      }

      const answered = await Promise.all(
        answers.map((answer) => answer.then((response) => ({ ...response, at: Date.now() }))),
      );
      for (const answer of answered) expect([answer.status, answer.closes]).toEqual([200, true]);
      await Promise.all(busy.map((raw) => raw.closedByServer));
      const lastAnswerAt = Math.max(...answered.map((answer) => answer.at));

      const exit = await exitedAt;
      const asked = await asking.stop();
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
      // Ended by itself, not by the deadline: no "Shutdown timeout" warning from any process.
      expect(server.process.logs.filter((entry) => entry.level === 'warn')).toEqual([]);
      // The busy client was not served after the answers in flight (the bug: it kept getting 200).
      expect(asked.filter((outcome) => outcome.status === 200 && outcome.at > lastAnswerAt)).toEqual([]);
      expect(exit.at - lastAnswerAt, 'ms from the last answer in flight to the exit').toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    },
  );
});

/** Writes, in one packet, a request answered after 200 ms and one answered at once. */
async function pipelineSlowThenFast(port: number): ReturnType<typeof connection> {
  const raw = await connection(port);
  raw.write(
    Buffer.concat([
      requestBytes('POST', '/delay?mode=async', {
        body: '{"ms":200}',
        headers: { 'Content-Type': 'application/json' },
      }),
      requestBytes('GET', '/health'),
    ]),
  );
  return raw;
}
